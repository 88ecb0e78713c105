// parley pages: shared helpers (no library, no build step).
"use strict";

// h builds an element: h("p", {class: "x", onclick: fn}, "text", child...).
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat(Infinity)) {
    if (k === undefined || k === null || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

// replace puts kids in place of el's children.
function replace(el, ...kids) {
  el.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
}

// APIError carries the server's message and code.
class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || "HTTP " + status);
    this.status = status;
    this.code = body && body.code;
  }
}

// api calls the JSON API with the seat token (if any).
async function api(method, path, token, body) {
  const init = { method, headers: {} };
  if (token) init.headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!r.ok) throw new APIError(r.status, data);
  return data;
}

// fmtU writes a utility as a share with three decimals.
function fmtU(u) {
  return u === undefined || u === null || isNaN(u) ? "–" : Number(u).toFixed(3);
}

// fmtDur writes milliseconds as h:mm:ss or m:ss.
function fmtDur(ms) {
  if (ms < 0) ms = 0;
  const s = Math.floor(ms / 1000), hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (n) => String(n).padStart(2, "0");
  return hh ? hh + ":" + p(mm) + ":" + p(ss) : mm + ":" + p(ss);
}

// human turns a snake_case label into words.
function human(label) {
  return String(label === undefined || label === null ? "" : label).replace(/_/g, " ");
}

// EventStream follows a seat's Server-Sent Events. It remembers the last
// seq it saw and, when the connection drops, reconnects with ?after= so
// that nothing is missed or seen twice. onEvent gets each stored event
// once, in order; onTurn each "turn" event (whose move it is: derived, not
// stored, so without a seq; the server sends the current one on every
// connection and a new one whenever the move changes); onState gets
// "live", "reconnecting" or "closed". opens counts the connections made.
class EventStream {
  constructor(url, token, after, onEvent, onState, onTurn) {
    this.url = url; this.token = token; this.last = after; this.opens = 0;
    this.onEvent = onEvent; this.onState = onState; this.onTurn = onTurn || (() => {});
    this.delay = 500; this.stopped = false;
    this.open();
  }
  static types = ["start", "action", "clause", "instruction", "agenda", "extend", "recall",
    "ratification_failed", "caucus", "timeout", "lapse", "agent_error", "end"];
  open() {
    if (this.stopped) return;
    const u = this.url + "?token=" + encodeURIComponent(this.token) + "&after=" + this.last;
    const es = new EventSource(u);
    this.es = es;
    this.opens++;
    es.onopen = () => { this.delay = 500; this.onState("live"); };
    const handle = (m) => {
      const seq = parseInt(m.lastEventId, 10);
      if (!(seq > this.last)) return;
      this.last = seq;
      let ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      this.onEvent(ev);
    };
    for (const t of EventStream.types) es.addEventListener(t, handle);
    es.addEventListener("turn", (m) => {
      let t;
      try { t = JSON.parse(m.data); } catch (e) { return; }
      this.onTurn(t);
    });
    es.onmessage = handle;
    es.onerror = () => {
      // The browser's own retry would resend the first URL's ?after=;
      // reconnect ourselves from the last seq seen, backing off.
      es.close();
      if (this.stopped) return;
      this.onState("reconnecting");
      setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 2, 8000);
    };
  }
  // drop closes the connection as a network failure would (tests use it).
  drop() { if (this.es) this.es.onerror(); }
  close() { this.stopped = true; if (this.es) this.es.close(); this.onState("closed"); }
}
