// Attaching files, enhanced: a button, drag and drop, pasting an image, several files at once
// with progress, large photos downscaled in the browser before upload. Without this script the
// form's plain file input does the same job (the server checks everything either way).
(function () {
  "use strict";
  var MAX_SIDE = 2560;
  var SHRINKABLE = { "image/jpeg": true, "image/png": true, "image/webp": true };

  function sizeLabel(bytes, units) {
    var lang = document.documentElement.lang || "fr";
    var number = function (value, digits) {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
    };
    if (bytes < 1024) return number(bytes, 0) + " " + units[0];
    if (bytes < 1024 * 1024) return number(Math.max(1, Math.round(bytes / 1024)), 0) + " " + units[1];
    return number(bytes / (1024 * 1024), 1) + " " + units[2];
  }

  // Photos from phones are often 4000 px wide: send at most MAX_SIDE px (EXIF goes too).
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!SHRINKABLE[file.type] || !window.createImageBitmap || !HTMLCanvasElement.prototype.toBlob) {
        resolve(file);
        return;
      }
      createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = MAX_SIDE / Math.max(bitmap.width, bitmap.height);
        if (scale >= 1) { bitmap.close && bitmap.close(); resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close && bitmap.close();
        var type = file.type === "image/png" ? "image/png" : "image/jpeg";
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name;
          if (type === "image/jpeg" && !/\.jpe?g$/i.test(name)) name = name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: type }));
        }, type, 0.88);
      }, function () { resolve(file); });
    });
  }

  function enhance(field) {
    var form = field.closest("form");
    var native = field.querySelector("input[type=file]");
    var list = field.querySelector(".attached-files");
    var token = form && form.querySelector("input[name=csrf_token]");
    if (!form || !native || !list || !token || !window.FormData || !window.XMLHttpRequest) return;
    var data = field.dataset;
    var units = (data.attachUnits || "o,ko,Mo").split(",");
    var reload = data.attachReload !== undefined;
    var pending = 0;

    // The plain input stays for browsers without this script; here a button replaces it.
    var picker = document.createElement("input");
    picker.type = "file";
    picker.multiple = true;
    picker.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "attach-button";
    button.textContent = data.attachButton;
    var hint = document.createElement("span");
    hint.className = "help attach-hint";
    hint.textContent = " " + data.attachDrop;
    native.hidden = true;
    native.disabled = true;
    native.insertAdjacentElement("afterend", picker);
    picker.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", hint);

    function message(template, name) { return template.replace("{name}", name); }

    function add(file) {
      var item = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = file.name + " ";
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      item.appendChild(label);
      item.appendChild(bar);
      list.appendChild(item);
      pending += 1;
      shrink(file).then(function (sent) {
        var body = new FormData();
        body.append("file", sent, sent.name);
        if (data.attachFolder) body.append("folder", data.attachFolder);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", data.attachUrl);
        xhr.setRequestHeader("X-CSRF-Token", token.value);
        xhr.upload.onprogress = function (event) {
          if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
        };
        xhr.onload = function () {
          var answer = null;
          try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
          if (xhr.status === 201 && answer) done(item, answer);
          else failed(item, sent.name, answer && (answer.fields && answer.fields.file || answer.message));
        };
        xhr.onerror = function () { failed(item, sent.name, null); };
        xhr.send(body);
      });
    }

    function finish() {
      pending -= 1;
      if (reload && pending === 0) window.location.reload();
    }

    function done(item, file) {
      item.textContent = "";
      if (!reload) {
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = "files";
        box.value = file.id;
        box.id = "f-files-" + file.id;
        box.checked = true;
        item.appendChild(box);
      }
      var label = document.createElement("label");
      label.htmlFor = "f-files-" + file.id;
      if (file.thumbnail_url) {
        var img = document.createElement("img");
        img.src = file.thumbnail_url;
        img.alt = "";
        img.className = "attach-thumb";
        label.appendChild(img);
      }
      label.appendChild(document.createTextNode(" " + file.name + " (" + sizeLabel(file.size, units) + ")"));
      item.appendChild(label);
      item.setAttribute("title", message(data.attachAdded, file.name));
      finish();
    }

    function failed(item, name, reason) {
      item.textContent = message(data.attachFailed, name) + (reason ? " " + reason : "");
      item.className = "field-error";
      item.setAttribute("role", "alert");
      finish();
    }

    function addAll(files) {
      for (var i = 0; i < files.length; i += 1) add(files[i]);
    }

    button.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () { addAll(picker.files); picker.value = ""; });
    var zone = form;
    zone.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        field.classList.add("dragging");
      }
    });
    zone.addEventListener("dragleave", function () { field.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      field.classList.remove("dragging");
      addAll(event.dataTransfer.files);
    });
    form.addEventListener("paste", function (event) {
      var items = event.clipboardData ? event.clipboardData.items : [];
      var found = [];
      for (var i = 0; i < items.length; i += 1) {
        if (items[i].kind === "file" && /^image\//.test(items[i].type)) {
          var blob = items[i].getAsFile();
          if (blob) {
            var extension = blob.type.split("/")[1] || "png";
            found.push(new File([blob], "image-collee-" + Date.now() + "." + extension, { type: blob.type }));
          }
        }
      }
      if (found.length) { event.preventDefault(); addAll(found); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("[data-attach-url]");
    for (var i = 0; i < fields.length; i += 1) enhance(fields[i]);
  });
})();
