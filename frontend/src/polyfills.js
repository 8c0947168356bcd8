// The few newer built-ins the bundled libraries call that ES2019 browsers lack (TipTap calls
// Array.prototype.findLast on every transaction: Safari < 15.4 and Chrome < 97 have none).

function define(proto, name, value) {
  if (!(name in proto)) {
    Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  }
}

define(Array.prototype, "at", function at(index) {
  const n = Math.trunc(index) || 0;
  const i = n < 0 ? this.length + n : n;
  return i >= 0 && i < this.length ? this[i] : undefined;
});

define(Array.prototype, "findLastIndex", function findLastIndex(predicate, thisArg) {
  for (let i = this.length - 1; i >= 0; i -= 1) {
    if (predicate.call(thisArg, this[i], i, this)) return i;
  }
  return -1;
});

define(Array.prototype, "findLast", function findLast(predicate, thisArg) {
  for (let i = this.length - 1; i >= 0; i -= 1) {
    if (predicate.call(thisArg, this[i], i, this)) return this[i];
  }
  return undefined;
});
