// A seat's page: the mediator's console, a party's seat, a principal's
// seat, an observer's; the debrief after the end. It reads the seat's
// view (GET /api/sessions/{id}) and follows the seat's event stream,
// refreshing the view as events arrive. Everything it shows is what the
// server computed for this seat: it filters nothing itself.
"use strict";

const $ = (id) => document.getElementById(id);
const S = {
  id: location.pathname.split("/").pop(), token: "", view: null, brief: null, events: [],
  stream: null, keys: {}, builder: null, builderKey: "", answers: null, answersKey: "",
  caucusParty: 0, panel: null, panelHead: "", debrief: null, refreshing: null, again: false,
};
window.parleyPage = S; // tests reach the stream through this

// ---- names ----
function seatRole() { return S.view.seat.role; }
function mediated() { return S.view.protocol === "mediated"; }
function issues() { return S.brief.issues; }
function parties() { return S.view.seats.filter((s) => s.role === "party").sort((a, b) => a.seat.localeCompare(b.seat, undefined, { numeric: true })); }
function partyName(i) {
  if (i === -1) return "the mediator";
  if (i < 0) return "the protocol";
  const p = S.brief.parties && S.brief.parties[i];
  return p ? p.name : "party " + i;
}
function myParty() { const m = /^(party|principal):(\d+)/.exec(S.view.seat.seat); return m ? parseInt(m[2], 10) : -1; }
function optLabel(i, k) {
  if (k === null || k === undefined || k < 0) return "(blank)";
  const is = issues()[i], o = is && is.options && is.options[k];
  return o ? human(o.label) : String(k);
}
function optCount(i) {
  const is = issues()[i];
  if (is.options && is.options.length) return is.options.length;
  const own = S.view.own;
  return own ? own.utility.values[i].length : 0;
}
function statusQuo(i) {
  const os = issues()[i].options || [];
  const k = os.findIndex((o) => o.not_addressed);
  return k < 0 ? 0 : k;
}
function outcomeText(o) {
  return o.map((k, i) => human(issues()[i].name) + ": " + optLabel(i, k)).join("; ");
}

// ---- utility, from the seat's own tables ----
function evalTable(t, o) {
  let u = 0;
  o.forEach((k, i) => { const row = t.values[i]; if (row && k >= 0 && k < row.length) u += row[k]; });
  for (const r of t.rects || []) {
    if (r.region.every((c) => c.options.includes(o[c.issue]))) u += r.utility;
  }
  return u;
}
function complete(o) { return o.map((k, i) => (k === null || k < 0 ? statusQuo(i) : k)); }
function crossed(lines, o) { return (lines || []).filter((l) => l.region.every((c) => c.options.includes(o[c.issue]))).map((l) => l.name || "a red line"); }
function myFaction() {
  const own = S.view.own;
  if (!own || !own.factions || seatRole() !== "principal") return null;
  const name = S.view.seat.name.split("/").slice(1).join("/");
  return own.factions.find((f) => f.name === name) || null;
}

// ---- describing events ----
function describe(ev) {
  const who = partyName(ev.actor);
  switch (ev.type) {
    case "start": return "The negotiation starts. " + (ev.note || "");
    case "action": {
      const a = ev.action || {};
      switch (a.kind) {
        case "offer": return who + " offers " + outcomeText(a.outcome || []) + ".";
        case "accept": return who + " accepts.";
        case "walk_away": return who + " walks away" + (a.reason ? ": " + a.reason : ".");
        case "text": return who + " proposes a text: " + outcomeText(a.outcome || []) + ".";
        case "answer": return who + " answers: " + (a.answers || []).map((x, i) => x === "none" ? null : human(issues()[i].name) + " " + x).filter(Boolean).join(", ") + ".";
        case "instruction": return who + " is instructed (" + human((a.instruction || {}).kind) + ").";
        case "extend": return who + " asks to extend the deadline by " + a.rounds + " rounds.";
        case "end": return who + " ends the session" + (a.reason ? ": " + a.reason : ".");
        case "agenda": return who + " puts " + human(issues()[a.issue].name) + " on the agenda.";
        case "review": return who + " marks " + human(issues()[a.issue].name) + " under review.";
      }
      return who + " acts (" + a.kind + ").";
    }
    case "clause": {
      const c = ev.clause;
      return human(issues()[c.issue].name) + ": " + human(c.from) + " → " + human(c.to) + " (" + optLabel(c.issue, c.option) + ")" + (c.why ? " — " + c.why : "") + ".";
    }
    case "instruction": {
      const i = ev.instruction || {};
      let what = human(i.kind);
      if (i.kind === "raise_floor" || i.kind === "lower_floor") what += " by " + i.delta;
      if (i.kind === "reopen") what += " " + human(issues()[i.issue].name);
      if (i.kind === "add_precondition") what += ": " + human(issues()[i.issue].name) + " must be " + optLabel(i.issue, i.option);
      if (i.kind === "recall") what += " for " + i.rounds + " rounds";
      return (i.principal || "A principal") + " instructs " + who + ": " + what + ".";
    }
    case "caucus": {
      const p = /^caucus:(\d+)/.exec(ev.audience || "");
      const to = ev.actor === -1 ? partyName(p ? +p[1] : -2) : "the mediator";
      return "Caucus, " + who + " to " + to + ": " + ev.message;
    }
    case "end": return "The negotiation ends: " + human(ev.result ? ev.result.end : "") + ". " + (ev.note || "");
  }
  return human(ev.type) + (ev.note ? ": " + ev.note : "") + ".";
}

function logEvent(ev) {
  const li = h("li", { "data-seq": ev.seq, "data-type": ev.type },
    h("span", { class: "seq" }, "#" + ev.seq + " · round " + (ev.round + 1)), " ", describe(ev));
  $("log-list").prepend(li);
}

// ---- loading and following ----
async function load() {
  const m = /[#&]t=([^&]+)/.exec(location.hash);
  S.token = m ? decodeURIComponent(m[1]) : sessionStorage.getItem("parley:" + S.id) || "";
  if (!S.token) { $("fatal").textContent = "This link has no seat key (#t=…). Open the invite link you were given."; return; }
  sessionStorage.setItem("parley:" + S.id, S.token);
  let v;
  try { v = await api("GET", "/api/sessions/" + S.id, S.token); } catch (e) { $("fatal").textContent = e.message; return; }
  v.fetched = Date.now();
  S.brief = v.brief; S.events = v.events; S.view = v;
  if (mediated() && !(v.text && v.text.length)) v.text = textFromEvents(null);
  replace($("log-list"));
  for (const ev of v.events) logEvent(ev);
  const last = v.events.length ? v.events[v.events.length - 1].seq : -1;
  render();
  S.stream = new EventStream("/api/sessions/" + S.id + "/events", S.token, last, onEvent, (st) => {
    $("conn").textContent = st === "live" ? "live" : st === "reconnecting" ? "connection lost, reconnecting…" : "closed";
    $("conn").dataset.state = st;
    if (st === "live") refresh(); // what changed while away (the one re-read not driven by an event)
  }, onTurn);
  setInterval(tick, 1000);
}

function onEvent(ev) {
  S.events.push(ev);
  logEvent(ev);
  refresh();
}

// onTurn takes a "turn" event. Whose move it is changes on events a seat
// may not see (the other party's answer to a text is that party's and the
// mediator's only); the server says so in a turn event, which the page
// shows at once, then reads the view for what the move brings (this seat's
// turn, the clock). No polling.
function onTurn(t) {
  S.turns = (S.turns || 0) + 1;
  const v = S.view, mover = t.move || null;
  const same = (v.move ? v.move.seat : null) === (mover ? mover.seat : null) && v.clock.round === t.round;
  if (!same) {
    v.move = mover;
    if (!mover || mover.seat !== v.seat.seat) v.turn = null;
    if (mover) v.clock.round = t.round;
    render();
  }
  refresh();
}

// refresh reads the view again (without the events and brief it has),
// one read at a time, once more if events came in meanwhile.
async function refresh() {
  if (S.refreshing) { S.again = true; return; }
  S.refreshing = true;
  try {
    do {
      S.again = false;
      S.reads = (S.reads || 0) + 1; // tests count the re-reads: every one follows an event or a connection
      const v = await api("GET", "/api/sessions/" + S.id + "?events=false&brief=false", S.token);
      v.events = S.events; v.brief = S.brief; v.fetched = Date.now();
      if (mediated() && !(v.text && v.text.length)) v.text = textFromEvents(S.view.text);
      S.view = v;
      render();
    } while (S.again);
  } catch (e) {
    $("fatal").textContent = e.message;
    console.error(e);
    window.parleyError = String(e.stack || e);
  } finally { S.refreshing = false; }
}

// textFromEvents rebuilds the text from the clause events (the view leaves
// it out after the end), starting from the text last seen.
function textFromEvents(last) {
  const text = issues().map((is, i) => Object.assign({ issue: i, name: is.name, option: -1, state: "open", on_agenda: true }, last && last[i]));
  for (const ev of S.events) {
    if (ev.type !== "clause") continue;
    const t = text[ev.clause.issue];
    t.option = ev.clause.option; t.state = ev.clause.to;
  }
  return text;
}

// part re-renders a section's body only when what it shows changed,
// keeping the keyboard focus on the control that had it.
function part(id, key, fn) {
  const k = JSON.stringify(key);
  if (S.keys[id] === k) return;
  S.keys[id] = k;
  const focus = document.activeElement && document.activeElement.id;
  const body = $(id + "-body");
  replace(body, fn());
  $(id).hidden = !body.childNodes.length;
  if (focus && !document.activeElement.id && $(focus)) $(focus).focus();
}

function render() {
  const v = S.view;
  $("fatal").textContent = "";
  document.title = "parley — " + v.seat.name + " — " + (S.brief.title || v.scenario);
  $("title").textContent = S.brief.title || v.scenario;
  $("who").textContent = v.seat.name + " (" + v.seat.role + ")";
  part("status", [v.result, v.move, v.deadline, v.clock.round, v.turn && v.turn.kind, v.turn && v.turn.round, v.seats], statusBody);
  tick();
  if (mediated()) part("text", [v.text, v.turn, S.events.length], textBody);
  const role = seatRole();
  if (role === "mediator") part("work", [v.turn, v.text, v.result.end], mediatorTools);
  else if (role === "party") part("work", [v.turn, v.text, v.result.end, mediated() ? null : lastOffer()], mediated() ? proposalBuilder : offerBuilder);
  if (role === "party" || role === "principal") part("own", [v.standing, v.own && v.own.reservation], ownBody);
  if (role === "party") part("instr", [v.instructions, instructionEvents().length], receivedInstructions);
  if (role === "principal") part("instr", [v.text, v.result.end], instructionForm);
  if (mediated() && role !== "observer") caucus();
  if (role === "mediator" && v.result.end === "running") loadPanel();
  if (v.result.end !== "running") $("panel").hidden = true;
  if ((role === "mediator" || role === "observer") && v.result.end !== "running") loadDebrief();
}

// ---- status and clock ----
function statusBody() {
  const v = S.view, r = v.result;
  const move = v.move ? (v.move.seat === v.seat.seat ? h("strong", { class: "yours" }, "Your move") : "Waiting for " + v.move.name) : "No one: the negotiation is over";
  const items = [
    ["Round", (r.end === "running" ? (v.turn ? v.turn.round : v.clock.round) + 1 : r.rounds) + " of " + v.deadline],
    ["Move", move],
    ["Result", r.end === "running" ? "running" : human(r.end) + (r.agreement ? ": " + outcomeText(r.agreement) : "")],
    ["Session clock", h("span", { id: "clock" })],
    ["Turn ends", h("span", { id: "turn-left" }, "when the seat acts")],
    ["Deadline", h("span", { id: "deadline-left" }, "after round " + v.deadline)],
    ["Seats", h("ul", { id: "seats", class: "seats" }, v.seats.filter((st) => st.role !== "observer").map(seatItem))],
  ];
  return h("dl", { class: "facts" }, items.map(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]));
}
// seatItem says who plays a seat: a person, a built-in agent, or a remote
// agent and whether it is connected now.
function seatItem(st) {
  const who = st.seat === S.view.seat.seat ? "you" : st.player === "human" ? "a person" : st.player === "remote" ?
    "a remote agent, " + (st.connected ? "connected" : "not connected") : "a built-in agent";
  return h("li", { "data-seat": st.seat }, st.name + ": " + who);
}
function tick() {
  const c = S.view && S.view.clock;
  if (!c || !$("clock")) return;
  const skew = Date.parse(c.now) - S.view.fetched; // server time minus local at fetch
  const now = Date.now() + (isNaN(skew) ? 0 : skew);
  $("clock").textContent = fmtDur(now - Date.parse(c.start)) + (mediated() && c.day !== undefined ? " (day " + (c.day + 1) + ", hour " + Number(c.hour || 0).toFixed(1) + ")" : "");
  if (c.turn_deadline) $("turn-left").textContent = "in " + fmtDur(Date.parse(c.turn_deadline) - now);
  if (c.deadline) $("deadline-left").textContent = "in " + fmtDur(Date.parse(c.deadline) - now) + " or after round " + S.view.deadline;
}

// ---- the single text ----
function clauseHistory(i) {
  return S.events.filter((ev) => ev.type === "clause" && ev.clause.issue === i);
}
function myTurn(kind) { const t = S.view.turn; return t && t.kind === kind && S.view.move && S.view.move.seat === S.view.seat.seat; }
function textBody() {
  const v = S.view, answering = seatRole() === "party" && myTurn("answer");
  const key = JSON.stringify(v.text.map((c) => [c.option, c.state]));
  if (S.answersKey !== key) { S.answersKey = key; S.answers = v.text.map(() => null); }
  const rows = v.text.map((c, i) => {
    const is = issues()[i], opt = is.options && is.options[c.option];
    const hist = clauseHistory(i);
    let answer = null;
    if (answering) {
      // A clause put to the parties has no answer until one is chosen.
      const choices = c.option < 0 || !c.on_agenda ? [] : c.state === "agreed" ? ["none", "reopen"] : c.state === "final" ? [] : ["", "accept", "reject"];
      if (choices.length) {
        if (!choices.includes(S.answers[i])) S.answers[i] = choices[0];
        const sel = h("select", { id: "answer-" + i, "aria-label": "your answer on " + human(is.name), "data-required": choices[0] === "" ? "1" : null },
          choices.map((a) => h("option", { value: a, selected: S.answers[i] === a }, a === "" ? "choose…" : a === "none" ? "keep as agreed" : a)));
        sel.onchange = () => { S.answers[i] = sel.value; };
        answer = sel;
      }
    }
    return h("tr", { "data-issue": is.name, "data-state": c.state },
      h("th", { scope: "row" }, human(is.name), c.on_agenda ? null : h("span", { class: "tag" }, "off the agenda")),
      h("td", {}, h("strong", {}, optLabel(i, c.option)), opt && opt.clause ? h("div", { class: "clause" }, opt.clause) : null),
      h("td", {}, h("span", { class: "state st-" + c.state }, human(c.state))),
      h("td", {}, hist.length ? h("details", {}, h("summary", {}, hist.length + " move" + (hist.length > 1 ? "s" : "")),
        h("ol", { class: "hist" }, hist.map((ev) => h("li", {}, "round " + (ev.round + 1) + ": " + human(ev.clause.from) + " → " + human(ev.clause.to) + " (" + optLabel(i, ev.clause.option) + ") by " + partyName(ev.actor) + (ev.clause.why ? " — " + ev.clause.why : ""))))) : "—"),
      answering ? h("td", {}, answer || "—") : null);
  });
  const table = h("div", { class: "scroll" }, h("table", { class: "text" },
    h("caption", { class: "sr" }, "Clauses of the text, their state and history"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, "Text"), h("th", { scope: "col" }, "State"), h("th", { scope: "col" }, "Moves"), answering ? h("th", { scope: "col" }, "Your answer") : null)),
    h("tbody", {}, rows)));
  if (!answering) return table;
  const send = h("button", { id: "send-answers", type: "button" }, "Send answers");
  const err = h("p", { class: "error", role: "alert" });
  send.onclick = () => {
    const missing = v.text.filter((c, i) => S.answers[i] === "").map((c) => human(c.name));
    if (missing.length) { err.textContent = "Answer every clause put to you first: " + missing.join(", ") + "."; return; }
    act({ kind: "answer", answers: S.answers.map((a) => a || "none") }, err);
  };
  return [table, h("div", { class: "actions" }, send), err];
}

// act posts an action, showing a refusal in err.
async function act(a, err) {
  if (err) err.textContent = "";
  try {
    await api("POST", "/api/sessions/" + S.id + "/actions", S.token, a);
    refresh();
    return true;
  } catch (e) {
    if (err) err.textContent = e.message;
    return false;
  }
}

// ---- bid builders ----
// builder returns a select per issue bound to S.builder, calling onChange.
function builderSelects(prefix, allowBlank, enabled, onChange) {
  return issues().map((is, i) => {
    const n = optCount(i), id = prefix + "-" + i;
    const sel = h("select", { id, disabled: enabled && !enabled(i) },
      allowBlank ? h("option", { value: "-1" }, "(blank)") : null,
      Array.from({ length: n }, (_, k) => h("option", { value: k }, optLabel(i, k))));
    sel.value = String(S.builder[i]);
    sel.onchange = () => { S.builder[i] = parseInt(sel.value, 10); onChange(); };
    return h("div", { class: "pick" }, h("label", { for: id }, human(is.name)), sel);
  });
}
function ownUtilityLine(o, out) {
  const own = S.view.own;
  if (!own) return;
  const c = complete(o), u = evalTable(own.utility, c), res = own.reservation;
  const lines = own.factions ? [] : crossed(own.red_lines, c);
  replace(out, h("span", { class: "big" }, fmtU(u)), " to you (your reservation value ", fmtU(res), ") ",
    h("span", { class: u >= res && !lines.length ? "ok" : "bad" }, u >= res && !lines.length ? "acceptable" : "below what you can accept"),
    lines.length ? h("span", { class: "bad" }, " — crosses " + lines.join(", ")) : null,
    h("meter", { min: 0, max: 1, value: Math.max(0, Math.min(1, u)), low: res, optimum: 1, "aria-label": "your utility of this bid" }));
}
function lastOffer() {
  for (let i = S.events.length - 1; i >= 0; i--) {
    const a = S.events[i].action;
    if (S.events[i].type === "action" && a && a.kind === "offer") return a;
  }
  return null;
}
function offerBuilder() {
  const v = S.view;
  $("work-h").textContent = "Your offer";
  if (v.result.end !== "running") return h("p", {}, "The negotiation is over.");
  if (!S.builder || S.builder.length !== issues().length) {
    // start from the best bid for this seat
    S.builder = issues().map((_, i) => { const row = v.own.utility.values[i]; return row.indexOf(Math.max(...row)); });
  }
  const out = h("p", { id: "bid-utility", class: "utility", "aria-live": "polite" });
  const update = () => ownUtilityLine(S.builder, out);
  const err = h("p", { class: "error", role: "alert" });
  const standing = lastOffer();
  const respond = myTurn("respond") || (myTurn("propose") && standing && standing.actor !== myParty());
  const parts = [];
  if (standing) {
    const mine = standing.actor === myParty();
    const so = h("p", { class: "utility" });
    ownUtilityLine(standing.outcome, so);
    parts.push(h("div", { class: "standing" }, h("h3", {}, mine ? "Your last offer" : "Their offer"), h("p", { id: "standing-offer" }, outcomeText(standing.outcome)), so,
      !mine && respond ? h("button", { id: "accept-offer", type: "button", onclick: () => act({ kind: "accept" }, err) }, "Accept their offer") : null));
  }
  const canOffer = myTurn("propose") || myTurn("respond");
  parts.push(h("h3", {}, "Build a counter-offer"), h("div", { class: "builder" }, builderSelects("bid", false, null, update)), out,
    h("div", { class: "actions" },
      h("button", { id: "make-offer", type: "button", disabled: !canOffer, onclick: () => act({ kind: "offer", outcome: S.builder }, err) }, "Make this offer"),
      h("button", { id: "walk-away", type: "button", class: "secondary", disabled: !canOffer, onclick: () => { if (confirm("Walk away? The negotiation ends without agreement.")) act({ kind: "walk_away" }, err); } }, "Walk away")),
    canOffer ? null : h("p", { class: "hint" }, "Wait for your turn."), err);
  update();
  return parts;
}
function proposalBuilder() {
  const v = S.view;
  $("work-h").textContent = "Propose changes to the mediator";
  if (v.result.end !== "running") return h("p", {}, "The negotiation is over.");
  const key = JSON.stringify(v.text.map((c) => c.option));
  if (S.builderKey !== key) { S.builderKey = key; S.builder = v.text.map((c) => c.option); }
  const out = h("p", { id: "proposal-utility", class: "utility", "aria-live": "polite" });
  const update = () => ownUtilityLine(S.builder, out);
  const err = h("p", { class: "error", role: "alert" }), done = h("p", { class: "ok", role: "status" });
  const send = h("button", { id: "send-proposal", type: "button" }, "Send to the mediator in caucus");
  send.onclick = async () => {
    const changes = S.builder.map((k, i) => (k !== v.text[i].option ? human(issues()[i].name) + " → " + optLabel(i, k) : null)).filter(Boolean);
    if (!changes.length) { err.textContent = "Change at least one clause first."; return; }
    if (await act({ kind: "caucus", message: "Proposed changes: " + changes.join("; ") + "." }, err)) done.textContent = "Sent.";
  };
  const parts = [h("p", { class: "hint" }, "Only the mediator writes the text. Try changes here and see what they are worth to you, then send them in caucus."),
    h("div", { class: "builder" }, builderSelects("prop", true, null, update)), out, h("div", { class: "actions" }, send), err, done];
  update();
  return parts;
}

// ---- the mediator's tools ----
function mediatorTools() {
  const v = S.view;
  $("work-h").textContent = "Work the text";
  if (v.result.end !== "running") return h("p", {}, "The negotiation is over.");
  const key = JSON.stringify(v.text.map((c) => [c.option, c.on_agenda]));
  if (S.builderKey !== key || !S.builder) { S.builderKey = key; S.builder = v.text.map((c) => c.option); }
  const err = h("p", { class: "error", role: "alert" });
  const writing = myTurn("text");
  const agendaOff = v.text.filter((c) => !c.on_agenda);
  const agreed = v.text.filter((c) => c.state === "agreed" || c.state === "reopened");
  const rounds = h("input", { id: "extend-rounds", type: "number", min: 1, max: 1000, value: 2, inputmode: "numeric" });
  const review = h("select", { id: "review-issue" }, agreed.map((c) => h("option", { value: c.issue }, human(c.name))));
  const agenda = h("select", { id: "agenda-issue" }, agendaOff.map((c) => h("option", { value: c.issue }, human(c.name))));
  return [
    h("div", { class: "builder" }, builderSelects("text", true, (i) => v.text[i].on_agenda, () => {})),
    h("div", { class: "actions" },
      h("button", { id: "propose-text", type: "button", disabled: !writing, onclick: () => act({ kind: "text", outcome: S.builder }, err) }, "Propose this text"),
      h("button", { id: "use-suggestion", type: "button", class: "secondary", disabled: !S.panel || !S.panel.suggestion.length, onclick: useSuggestion }, "Fill in the suggested text")),
    writing ? null : h("p", { class: "hint" }, "The parties are answering; you can write when they have."),
    h("h3", {}, "Other moves"),
    h("div", { class: "tools" },
      h("div", {}, h("label", { for: "review-issue" }, "Mark an agreed clause under review"), agreed.length ? [review,
        h("button", { type: "button", id: "do-review", disabled: !writing, onclick: () => act({ kind: "review", issue: parseInt(review.value, 10) }, err) }, "Mark")] : h("p", { class: "hint" }, "No clause is agreed yet.")),
      h("div", {}, h("label", { for: "extend-rounds" }, "Extend the deadline by (rounds)"), rounds,
        h("button", { type: "button", id: "do-extend", onclick: () => act({ kind: "extend", rounds: parseInt(rounds.value, 10) || 0 }, err) }, "Extend")),
      h("div", {}, h("label", { for: "agenda-issue" }, "Add an issue to the agenda"), agendaOff.length ? [agenda,
        h("button", { type: "button", id: "do-agenda", disabled: !writing, onclick: () => act({ kind: "agenda", issue: parseInt(agenda.value, 10) }, err) }, "Add")] : h("p", { class: "hint" }, "Every issue is on the agenda.")),
      h("div", {}, h("span", { class: "label" }, "Close without agreement"),
        h("button", { type: "button", id: "do-end", class: "secondary", disabled: !writing, onclick: () => { if (confirm("End the session without agreement?")) act({ kind: "end", reason: "closed by the mediator" }, err); } }, "End the session"))),
    err];
}
function useSuggestion() {
  if (!S.panel) return;
  for (const c of S.panel.suggestion) if (S.view.text[c.issue].on_agenda) S.builder[c.issue] = c.option;
  S.keys.work = ""; // redraw with the new choices
  render();
  $("propose-text").focus();
}
async function loadPanel() {
  const head = S.view.head.hash;
  if (S.panelHead === head) return;
  S.panelHead = head;
  try { S.panel = await api("GET", "/api/sessions/" + S.id + "/analysis", S.token); } catch (e) { S.panel = null; }
  part("panel", [S.panel], panelBody);
  if ($("use-suggestion")) $("use-suggestion").disabled = !S.panel || !S.panel.suggestion.length;
}
function panelBody() {
  const p = S.panel;
  if (!p) return h("p", {}, "The analysis is not available.");
  const z = p.zone;
  return [
    h("p", {}, z.empty ? "No outcome is acceptable to every party as things stand." :
      "Zone of agreement: " + z.size + (z.exact ? "" : "+") + " of " + p.outcomes + " outcomes (" + (100 * z.share).toPrecision(2) + "%)."),
    h("h3", {}, p.basis === "nash" ? "Suggested text (near the Nash point)" : p.basis === "none" ? "No suggestion" : "Suggested text (Nash point, ignoring ratification)"),
    p.suggestion.length ? h("ul", { class: "suggest" }, p.suggestion.map((c) => h("li", {}, human(c.name) + ": ", h("strong", {}, human(c.label)),
      c.on_agenda ? null : h("span", { class: "tag" }, "off the agenda"), c.agreed >= 0 && c.agreed !== c.option ? h("span", { class: "tag warn" }, "needs reopening") : null))) : null,
    p.suggestion.length ? h("p", {}, p.suggestion_in_zone ? "Every party would accept the suggestion." : "The suggestion is outside the zone.") : null,
    p.current ? h("p", { id: "current-in-zone" }, "The current text is " + (p.current.in_zone ? "inside" : "outside") + " the zone" +
      (p.current.differs.length ? "; it differs from the suggestion on " + p.current.differs.map(human).join(", ") : "") + ".") : null,
  ];
}

// ---- own utility ----
function ownBody() {
  const v = S.view, own = v.own;
  if (!own) return [];
  const st = v.standing, fac = myFaction();
  const rows = [];
  if (fac) {
    const cur = st && st.factions ? st.factions.find((f) => f.name === fac.name) : null;
    rows.push(["Your faction's utility of what stands", cur ? fmtU(cur.utility) + (cur.accepts ? " (you would accept)" : " (you would not accept)") : "nothing stands yet"]);
    rows.push(["Your faction's reservation value", fmtU(fac.reservation)]);
    rows.push(["Your delegation's utility of what stands", st ? fmtU(st.utility) : "–"]);
  } else {
    rows.push(["Your utility of what stands", st ? h("span", { id: "own-standing" }, fmtU(st.utility) + (st.accepts ? " (acceptable)" : " (not acceptable)")) : "nothing stands yet"]);
    rows.push(["Your reservation value", h("span", { id: "own-reservation" }, fmtU(own.reservation))]);
    if (st && st.red_lines && st.red_lines.length) rows.push(["Red lines crossed", st.red_lines.join(", ")]);
  }
  const out = [h("dl", { class: "facts" }, rows.map(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]))];
  if (own.factions && !fac && st && st.factions) {
    out.push(h("table", { class: "small" }, h("caption", {}, "Your factions"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Faction"), h("th", { scope: "col" }, "Utility"), h("th", { scope: "col" }, "Would accept"))),
      h("tbody", {}, st.factions.map((f) => h("tr", {}, h("th", { scope: "row" }, f.name), h("td", {}, fmtU(f.utility)), h("td", {}, f.accepts ? "yes" : "no" + (f.red_lines && f.red_lines.length ? " (" + f.red_lines.join(", ") + ")" : "")))))));
  }
  return out;
}

// ---- instructions ----
function instructionEvents() { return S.events.filter((ev) => ev.type === "instruction"); }
function receivedInstructions() {
  const evs = instructionEvents();
  if (!evs.length && !(S.view.own && S.view.own.factions)) return [];
  return [h("p", { class: "hint" }, "What your principals have told you."),
    evs.length ? h("ul", { class: "msgs" }, evs.map((ev) => h("li", {}, describe(ev)))) : h("p", {}, "No instructions so far.")];
}
function instructionForm() {
  $("instr-h").textContent = "Instruct your delegation";
  if (S.view.result.end !== "running") return h("p", {}, "The negotiation is over.");
  const kind = h("select", { id: "instr-kind" }, ["lower_floor", "raise_floor", "add_precondition", "reopen", "recall"].map((k) => h("option", { value: k }, human(k))));
  const delta = h("input", { id: "instr-delta", type: "number", min: 0.01, max: 1, step: 0.01, value: 0.05 });
  const issue = h("select", { id: "instr-issue" }, issues().map((is, i) => h("option", { value: i }, human(is.name))));
  const option = h("select", { id: "instr-option" });
  const rounds = h("input", { id: "instr-rounds", type: "number", min: 1, max: 100, value: 1 });
  const fill = () => replace(option, Array.from({ length: optCount(+issue.value) }, (_, k) => h("option", { value: k }, optLabel(+issue.value, k))));
  issue.onchange = fill; fill();
  const wrap = (id, lab, ctl) => h("div", { class: "pick", "data-for": id }, h("label", { for: ctl.id }, lab), ctl);
  const fields = { delta: wrap("delta", "By how much (utility)", delta), issue: wrap("issue", "Clause", issue), option: wrap("option", "Must read", option), rounds: wrap("rounds", "For how many rounds", rounds) };
  const show = () => {
    const k = kind.value;
    fields.delta.hidden = !k.endsWith("_floor");
    fields.issue.hidden = !(k === "reopen" || k === "add_precondition");
    fields.option.hidden = k !== "add_precondition";
    fields.rounds.hidden = k !== "recall";
  };
  kind.onchange = show; show();
  const err = h("p", { class: "error", role: "alert" }), done = h("p", { class: "ok", role: "status" });
  const send = h("button", { id: "send-instruction", type: "submit" }, "Send the instruction");
  const form = h("form", { class: "builder" }, wrap("kind", "Instruction", kind), Object.values(fields), h("div", { class: "actions" }, send));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const k = kind.value, ins = { kind: k };
    if (k.endsWith("_floor")) ins.delta = parseFloat(delta.value);
    if (k === "reopen" || k === "add_precondition") ins.issue = +issue.value;
    if (k === "add_precondition") ins.option = +option.value;
    if (k === "recall") ins.rounds = parseInt(rounds.value, 10);
    done.textContent = "";
    if (await act({ kind: "instruction", instruction: ins }, err)) done.textContent = "Sent: " + human(k) + ".";
  };
  return [h("p", { class: "hint" }, "Your delegation negotiates; you can change its mandate."), form, err, done];
}

// ---- caucus ----
function caucusEvents(p) {
  return S.events.filter((ev) => ev.type === "caucus" && (p === undefined || ev.audience === "caucus:" + p));
}
function caucus() {
  const v = S.view, med = seatRole() === "mediator", principal = seatRole() === "principal";
  $("caucus-h").textContent = med ? "Caucus with a party" : principal ? "Your delegation's caucus with the mediator" : "Caucus with the mediator";
  const body = $("caucus-body");
  if (!body.dataset.built) {
    body.dataset.built = "1";
    const thread = h("ol", { id: "caucus-thread", class: "msgs", "aria-live": "polite" });
    const ta = h("textarea", { id: "caucus-message", rows: 2, maxlength: 65536 });
    const err = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "composer" }, h("label", { for: "caucus-message" }, med ? "Message to the party" : "Message to the mediator (only the mediator reads it)"), ta,
      h("div", { class: "actions" }, h("button", { id: "caucus-send", type: "submit" }, "Send")), err);
    form.onsubmit = async (e) => {
      e.preventDefault();
      const msg = ta.value.trim();
      if (!msg) return;
      const a = { kind: "caucus", message: msg };
      if (med) a.party = S.caucusParty;
      if (await act(a, err)) ta.value = "";
    };
    const kids = [];
    if (med) {
      const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "caucus channels" }, parties().map((p, i) => {
        const b = h("button", { type: "button", role: "tab", id: "caucus-tab-" + i, "aria-selected": i === 0 ? "true" : "false", "aria-controls": "caucus-thread" }, p.name);
        b.onclick = () => { S.caucusParty = i; for (const t of tabs.children) t.setAttribute("aria-selected", t === b ? "true" : "false"); S.keys.caucus = ""; caucus(); };
        return b;
      }));
      kids.push(tabs);
    }
    replace(body, kids, thread, form);
    $("caucus").hidden = false;
  }
  $("caucus-body").querySelector("form").hidden = v.result.end !== "running" || principal;
  const evs = med ? caucusEvents(S.caucusParty) : caucusEvents();
  const key = JSON.stringify([S.caucusParty, evs.length, v.result.end]);
  if (S.keys.caucus === key) return;
  S.keys.caucus = key;
  replace($("caucus-thread"), evs.length ? evs.map((ev) => h("li", { class: ev.actor === -1 ? "from-med" : "from-party" }, h("strong", {}, ev.actor === -1 ? "Mediator" : partyName(ev.actor)), ": ", ev.message)) : h("li", { class: "hint" }, "No messages yet."));
}

// ---- debrief ----
async function loadDebrief() {
  if (S.debrief) return;
  S.debrief = "loading";
  try { S.debrief = await api("GET", "/api/sessions/" + S.id + "/debrief", S.token); } catch (e) { S.debrief = null; return; }
  $("debrief").hidden = false;
  replace($("debrief-body"), debriefBody(S.debrief, S.id, S.token));
}

load();
