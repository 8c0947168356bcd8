// Load generator for bench/collab_bench.py: speaks the y-websocket protocol (sync + update
// messages) to one server, one scenario per run, one process and one clock for latencies.
//
//   node loadgen.mjs '<json spec>'
//
// stdout: JSON lines. {"event":"mark","name":...} is answered by the runner with one line on
// stdin (it reads /proc of the server then); the last line is {"event":"result",...}.
//
// Writers hold a real Y.Doc and send real Yjs updates (one insert of a token "~E<8 digits>~"
// per edit, at the end of a Y.Text). Like a browser's provider, a writer applies the updates it
// receives (spec.writersApply, default true), so that it types at the end of the shared text;
// with false it only ever sees its own text, and its edits form one chain per writer (a load
// that no editor makes, and a slow case for yrs, whose merged items grow without end). Other
// clients do not apply what they receive: they find the tokens in update messages and time
// them, so that the generator stays cheap.

import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import readline from 'node:readline'

const spec = JSON.parse(process.argv[2])
const now = () => performance.now()
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const out = obj => process.stdout.write(JSON.stringify(obj) + '\n')

const stdinLines = readline.createInterface({ input: process.stdin })
const waiting = []
stdinLines.on('line', line => { const w = waiting.shift(); if (w) w(line) })
const mark = name => new Promise(resolve => { waiting.push(resolve); out({ event: 'mark', name }) })

const TOKEN = /~E(\d{8})~/g
const EMPTY_UPDATE = new Uint8Array([0, 0])
const EMPTY_SV = new Uint8Array([0])

// edit id -> { t: send time, writer, left: receivers still expected, inWindow }
const edits = new Map()
let nextEdit = 1
let measuring = false
let deliveriesInWindow = 0
let messagesInWindow = 0
const latencies = []
let duplicates = 0

const syncStep1 = sv => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, sv)
  return encoding.toUint8Array(e)
}
const syncStep2 = update => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}
const updateMessage = update => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

class Client {
  constructor (url, { doc = null, index = 0 } = {}) {
    this.url = url
    this.doc = doc
    this.index = index
    this.synced = null
    this.syncBytes = 0
    this.onEditDone = null
    this.ws = null
  }

  connect () {
    return new Promise((resolve, reject) => {
      const t0 = now()
      const ws = new WebSocket(this.url, { perMessageDeflate: false })
      ws.binaryType = 'nodebuffer'
      this.ws = ws
      let done = false
      ws.on('open', () => {
        ws.send(syncStep1(this.doc ? Y.encodeStateVector(this.doc) : EMPTY_SV))
      })
      ws.on('message', data => {
        const r = this.receive(data)
        if (r === 'synced' && !done) { done = true; this.synced = now() - t0; resolve(this) }
      })
      ws.on('error', err => { if (!done) { done = true; reject(err) } })
      ws.on('close', code => { if (!done) { done = true; reject(new Error('closed ' + code)) } })
    })
  }

  receive (data) {
    const d = decoding.createDecoder(data)
    const type = decoding.readVarUint(d)
    if (type !== 0) return null // awareness and others: ignored
    const sub = decoding.readVarUint(d)
    if (sub === 0) { // server's sync step 1: answer with what we have
      const sv = decoding.readVarUint8Array(d)
      this.ws.send(syncStep2(this.doc ? Y.encodeStateAsUpdate(this.doc, sv) : EMPTY_UPDATE))
      return null
    }
    if (sub === 1) { this.syncBytes = data.length; return 'synced' }
    if (sub === 2) {
      const t = now()
      if (this.doc && spec.writersApply !== false) {
        Y.applyUpdate(this.doc, decoding.readVarUint8Array(d), 'remote')
      }
      if (measuring) messagesInWindow++
      const text = data.toString('latin1')
      TOKEN.lastIndex = 0
      let m
      while ((m = TOKEN.exec(text)) !== null) {
        const edit = edits.get(Number(m[1]))
        if (edit === undefined || edit.writer === this) continue
        if (edit.seen.has(this.index)) { duplicates++; continue }
        edit.seen.add(this.index)
        if (measuring) deliveriesInWindow++
        if (edit.inWindow) latencies.push(t - edit.t)
        if (--edit.left === 0) {
          edits.delete(edit.id)
          if (edit.writer.onEditDone) edit.writer.onEditDone(edit)
        }
      }
    }
    return null
  }

  edit (receivers) {
    const id = nextEdit++
    const text = this.doc.getText('t')
    const token = '~E' + String(id).padStart(8, '0') + '~'
    const edit = { id, t: now(), writer: this, left: receivers, inWindow: measuring, seen: new Set() }
    edits.set(id, edit)
    text.insert(text.length, token) // the doc's update handler sends it
    return edit
  }

  makeWriter () {
    this.doc = this.doc || new Y.Doc()
    this.doc.on('update', (update, origin) => {
      if (origin !== 'remote' && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(updateMessage(update))
    })
    return this
  }

  close () { if (this.ws) this.ws.close() }
}

const roomUrl = room => spec.base + room

async function connectAll (clients, concurrency = 20) {
  let i = 0
  const worker = async () => { while (i < clients.length) { const c = clients[i++]; await c.connect() } }
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker))
}

function summary (xs) {
  if (xs.length === 0) return { n: 0 }
  const s = Float64Array.from(xs).sort()
  const q = p => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1] }
}

async function measuredWindow (seconds) {
  await mark('window-start')
  const cpu0 = process.cpuUsage()
  const t0 = now()
  measuring = true
  await sleep(seconds * 1000)
  measuring = false
  const elapsed = (now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await mark('window-end')
  return { elapsed, genCpu: (cpu.user + cpu.system) / 1e6 / elapsed }
}

// (a) and (b): rooms x clients, some writers at a fixed rate.
async function fixedRate () {
  const { rooms, clientsPerRoom, writersPerRoom, rate, warmup, seconds } = spec
  const all = []; const writers = []
  for (let r = 0; r < rooms; r++) {
    for (let c = 0; c < clientsPerRoom; c++) {
      const cl = new Client(roomUrl(`bench-${spec.tag}-${r}`), { index: c })
      if (c < writersPerRoom) writers.push(cl.makeWriter())
      all.push(cl)
    }
  }
  await connectAll(all)
  await sleep(500)
  const receivers = clientsPerRoom - 1
  const timers = []
  let sent = 0
  // Each writer keeps its rate on the wall clock: a late timer (busy machine) sends the
  // edits it missed (at most 5) rather than lowering the rate.
  let stopped = false
  const period = 1000 / rate
  writers.forEach((w, i) => {
    const t0 = now() + (i * period / writers.length)
    let done = 0
    const tick = () => {
      if (stopped) return
      const due = Math.floor((now() - t0) / period) + 1
      for (let k = 0; due > done && k < 5; k++, done++) { w.edit(receivers); if (measuring) sent++ }
      done = Math.max(done, due - 5)
      timers.push(setTimeout(tick, Math.max(0, t0 + done * period - now())))
    }
    timers.push(setTimeout(tick, Math.max(0, t0 - now())))
  })
  await sleep(warmup * 1000)
  const win = await measuredWindow(seconds)
  stopped = true
  timers.forEach(t => clearTimeout(t))
  await sleep(1500) // drain
  let lost = 0
  for (const e of edits.values()) if (e.inWindow) lost += e.left
  all.forEach(c => c.close())
  return { ...win, editsSent: sent, editsPerSec: sent / win.elapsed, deliveries: deliveriesInWindow, deliveriesPerSec: deliveriesInWindow / win.elapsed, messagesPerSec: messagesInWindow / win.elapsed, lostDeliveries: lost, duplicates, latency: summary(latencies) }
}

// (d): one room, `writers` writers each keeping `inflight` edits not yet received by everyone.
async function saturate () {
  const { clients, writers: nWriters, inflight, warmup, seconds } = spec
  const all = []
  for (let c = 0; c < clients; c++) {
    const cl = new Client(roomUrl(`bench-${spec.tag}-0`), { index: c })
    if (c < nWriters) cl.makeWriter()
    all.push(cl)
  }
  await connectAll(all)
  await sleep(500)
  let running = true
  let sent = 0
  const receivers = clients - 1
  for (const w of all.slice(0, nWriters)) {
    w.onEditDone = () => { if (running) { w.edit(receivers); if (measuring) sent++ } }
    for (let k = 0; k < inflight; k++) w.edit(receivers)
  }
  await sleep(warmup * 1000)
  const win = await measuredWindow(seconds)
  running = false
  await sleep(1500)
  let lost = 0
  for (const e of edits.values()) if (e.inWindow) lost += e.left
  all.forEach(c => c.close())
  return { ...win, editsSent: sent, editsPerSec: sent / win.elapsed, deliveries: deliveriesInWindow, deliveriesPerSec: deliveriesInWindow / win.elapsed, messagesPerSec: messagesInWindow / win.elapsed, lostDeliveries: lost, duplicates, latency: summary(latencies) }
}

// (c): a room holding a ~200 KB document; rounds of `clients` concurrent joins.
async function join () {
  const { clients, rounds, docBytes } = spec
  const doc = new Y.Doc()
  const text = doc.getText('t')
  const words = 'le la les un une des du de et à pour avec sans sous sur chez forum fil message réponse été première'.split(' ')
  let seed = 12345
  const rand = n => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
  let size = 0
  while (size < docBytes) {
    doc.transact(() => {
      for (let i = 0; i < 200; i++) {
        let chunk = ''
        for (let w = 0; w < 6; w++) chunk += words[rand(words.length)] + ' '
        text.insert(rand(text.length + 1), chunk)
        if (i % 10 === 0 && text.length > 50) text.delete(rand(text.length - 10), 3)
      }
    })
    size = Y.encodeStateAsUpdate(doc).length
  }
  const url = roomUrl(`bench-${spec.tag}-doc`)
  const seeder = new Client(url, { doc, index: 0 })
  await seeder.connect()
  // wait until the server holds the whole document
  let probeBytes = 0
  for (let i = 0; i < 100 && probeBytes < size; i++) {
    await sleep(100)
    const probe = new Client(url, { index: 1 })
    await probe.connect(); probeBytes = probe.syncBytes; probe.close()
  }
  await sleep(500)
  const joins = []; const rounds_ = []
  await mark('window-start')
  const cpu0 = process.cpuUsage(); const t0 = now()
  for (let r = 0; r < rounds; r++) {
    const cs = Array.from({ length: clients }, (_, i) => new Client(url, { index: 10 + i }))
    const rt = now()
    await Promise.all(cs.map(c => c.connect()))
    rounds_.push(now() - rt)
    for (const c of cs) { joins.push(c.synced); if (c.syncBytes < size) throw new Error('short sync ' + c.syncBytes) }
    cs.forEach(c => c.close())
    await sleep(300)
  }
  const elapsed = (now() - t0) / 1000; const cpu = process.cpuUsage(cpu0)
  await mark('window-end')
  seeder.close()
  return { docUpdateBytes: size, syncMessageBytes: probeBytes, joins: clients * rounds, join: summary(joins), roundAll: summary(rounds_), elapsed, genCpu: (cpu.user + cpu.system) / 1e6 / elapsed }
}

// memory: one warm client in a room, then `clients` idle clients join it.
async function idle () {
  const { clients } = spec
  const url = roomUrl(`bench-${spec.tag}-idle`)
  const warm = new Client(url, { index: 0 }).makeWriter()
  await warm.connect()
  warm.edit(0); await sleep(200); edits.clear()
  // one throwaway round so that first-use allocations are not counted per connection
  const pre = Array.from({ length: 20 }, (_, i) => new Client(url, { index: 1 + i }))
  await connectAll(pre); pre.forEach(c => c.close())
  await sleep(1500)
  await mark('idle-before')
  const cs = Array.from({ length: clients }, (_, i) => new Client(url, { index: 100 + i }))
  await connectAll(cs)
  await sleep(2000)
  await mark('idle-after')
  cs.forEach(c => c.close()); warm.close()
  return { idleClients: clients }
}

const scenarios = { fixed: fixedRate, saturate, join, idle }
try {
  const result = await scenarios[spec.kind]()
  out({ event: 'result', ...result })
} catch (err) {
  out({ event: 'error', message: String(err && err.stack ? err.stack : err) })
}
await sleep(300)
process.exit(0)
