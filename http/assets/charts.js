// The debrief's pictures, drawn as SVG: utilities over time per party and
// the outcome on the Pareto plot with the Nash and Kalai–Smorodinsky
// points. Plain SVG, no library.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = ["#1f6fb2", "#c2571a", "#2e8b57", "#8e44ad", "#b8860b", "#555"];

function svg(tag, attrs, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
  for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

// axes draws a frame with ticks from 0 to 1 on y and lo..hi on x.
function frame(W, H, m, xlab, ylab, xmax, ymax, xint) {
  const g = svg("g", { class: "axes" });
  const x = (v) => m.l + (v / xmax) * (W - m.l - m.r), y = (v) => H - m.b - (v / ymax) * (H - m.t - m.b);
  g.append(svg("rect", { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, fill: "none", stroke: "#999" }));
  for (let i = 0; i <= 4; i++) {
    const vy = (ymax * i) / 4, vx = (xmax * i) / 4;
    g.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(vy), y2: y(vy), stroke: "#e5e5e5" }));
    g.append(svg("text", { x: m.l - 6, y: y(vy) + 4, "text-anchor": "end" }, vy.toFixed(2)));
    if (!xint) g.append(svg("text", { x: x(vx), y: H - m.b + 16, "text-anchor": "middle" }, vx.toFixed(2)));
  }
  if (xint) {
    const step = Math.max(1, Math.ceil(xmax / 10));
    for (let r = 0; r < xmax; r += step) g.append(svg("text", { x: x(r + 0.5), y: H - m.b + 16, "text-anchor": "middle" }, r + 1));
  }
  g.append(svg("text", { x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle", class: "axlab" }, xlab));
  g.append(svg("text", { x: 12, y: (m.t + H - m.b) / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (m.t + H - m.b) / 2 + ")", class: "axlab" }, ylab));
  return { g, x, y };
}

// utilityChart: what each offer or text was worth to each party, over the
// rounds, with its reservation value dashed. Offers are drawn as one line
// per party and offerer (its own offers solid, the others' dotted), not as
// one line zigzagging between the two sides.
function utilityChart(d) {
  const W = 800, H = 280, m = { l: 48, r: 16, t: 16, b: 40 };
  const rounds = Math.max(1, ...d.moves.map((mv) => mv.round + 1));
  const ymax = Math.max(1, ...d.moves.flatMap((mv) => mv.utilities));
  const f = frame(W, H, m, "round", "utility", rounds, ymax, true);
  const root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-labelledby": "uc-t" },
    svg("title", { id: "uc-t" }, "Each party's utility of the offers and texts over the rounds"), f.g);
  const offerers = [...new Set(d.moves.map((mv) => mv.actor))];
  d.parties.forEach((p, i) => {
    const color = COLORS[i % COLORS.length];
    root.append(svg("line", { x1: m.l, x2: W - m.r, y1: f.y(p.reservation), y2: f.y(p.reservation), stroke: color, "stroke-dasharray": "6 4", opacity: 0.6 }));
    for (const who of offerers) {
      const own = who === i || who < 0;
      const pts = d.moves.filter((mv) => mv.actor === who).map((mv) => [f.x(mv.round + (who >= 0 ? 0.25 + 0.5 * (who % 2) : 0.5)), f.y(mv.utilities[i])]);
      if (pts.length > 1) root.append(svg("polyline", { points: pts.map((q) => q.join(",")).join(" "), fill: "none", stroke: color, "stroke-width": own ? 2.2 : 1.2, "stroke-dasharray": own ? null : "2 3" }));
      for (const q of pts) root.append(svg("circle", { cx: q[0], cy: q[1], r: own ? 3 : 2, fill: own ? color : "#fff", stroke: color }));
    }
  });
  return root;
}

// paretoChart: the outcome space of two parties (the first two when
// there are more), its frontier, Nash, KS and the agreement.
function paretoChart(d, a, b) {
  const W = 420, H = 420, m = { l: 48, r: 16, t: 16, b: 40 };
  const f = frame(W, H, m, d.parties[a].name, d.parties[b].name, 1, 1);
  const root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart square", role: "img", "aria-labelledby": "pc-t-" + a + b },
    svg("title", { id: "pc-t-" + a + b }, "Outcomes by " + d.parties[a].name + "'s and " + d.parties[b].name + "'s utility, the Pareto frontier and the bargaining solutions"), f.g);
  const cloud = svg("g", { fill: "#aaa" });
  const r = d.cloud.length < 200 ? 3.5 : 1.6;
  for (const u of d.cloud) cloud.append(svg("circle", { cx: f.x(u[a]), cy: f.y(u[b]), r }));
  root.append(cloud);
  const front = [...d.frontier].sort((p, q) => p[a] - q[a]);
  if (front.length) root.append(svg("polyline", { points: front.map((u) => f.x(u[a]) + "," + f.y(u[b])).join(" "), fill: "none", stroke: "#333", "stroke-width": 1.5 }));
  root.append(svg("line", { x1: f.x(d.parties[a].reservation), x2: f.x(d.parties[a].reservation), y1: f.y(0), y2: f.y(1), stroke: COLORS[a], "stroke-dasharray": "4 4" }));
  root.append(svg("line", { x1: f.x(0), x2: f.x(1), y1: f.y(d.parties[b].reservation), y2: f.y(d.parties[b].reservation), stroke: COLORS[b], "stroke-dasharray": "4 4" }));
  const mark = (p, shape, color, label) => {
    if (!p) return;
    const cx = f.x(p.utilities[a]), cy = f.y(p.utilities[b]);
    root.append(shape === "diamond"
      ? svg("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12, transform: "rotate(45 " + cx + " " + cy + ")", fill: color, stroke: "#fff" }, svg("title", {}, label))
      : shape === "square" ? svg("rect", { x: cx - 9, y: cy - 9, width: 18, height: 18, fill: "none", stroke: color, "stroke-width": 3 }, svg("title", {}, label))
      : svg("circle", { cx, cy, r: 8, fill: "none", stroke: color, "stroke-width": 3 }, svg("title", {}, label)));
  };
  // The square is drawn larger and first: where KS and Nash coincide,
  // the diamond shows inside it.
  mark(d.ks, "square", "#2e8b57", "Kalai–Smorodinsky point");
  mark(d.nash, "diamond", "#8e44ad", "Nash point");
  mark(d.agreement, "circle", "#c0392b", "agreement");
  return root;
}

function legend(items) {
  return h("ul", { class: "legend" }, items.map(([color, text]) => h("li", {}, svg("svg", { width: 16, height: 10, "aria-hidden": "true" }, svg("rect", { width: 16, height: 10, fill: color })), " ", text)));
}

function debriefBody(d, id, token) {
  const r = d.result, parties = d.parties;
  const out = [];
  out.push(h("p", { id: "debrief-outcome" }, r.end === "agreement"
    ? "Agreement in round " + r.rounds + ": " + d.issues.map((is, i) => human(is.name) + " " + human(is.options[d.agreement.outcome[i]])).join("; ") + "."
    : "No agreement (" + human(r.end) + ") after " + r.rounds + " rounds."));
  if (d.agreement) {
    out.push(h("p", {}, "Utilities of the agreement: " + parties.map((p, i) => p.name + " " + fmtU(d.agreement.utilities[i])).join(", ") +
      "; distance to the Pareto frontier " + fmtU(d.agreement.distance) + (d.frontier_exact ? "" : " (frontier approximate)") + "."));
  }
  const sol = (name, p) => p ? name + ": " + parties.map((q, i) => q.name + " " + fmtU(p.utilities[i])).join(", ") : name + ": none (no zone of agreement)";
  out.push(h("p", {}, sol("Nash point", d.nash) + ". " + sol("Kalai–Smorodinsky", d.ks) + "."));
  const u = h("figure", { class: "timeline" }, utilityChart(d), h("figcaption", {}, d.moves.some((mv) => mv.actor >= 0) ? "What each party's own offers were worth to it (solid), what the others' offers were worth to it (dotted), and its reservation value (dashed)." : "What each text was worth to each party, and its reservation value (dashed).",
    legend(parties.map((p, i) => [COLORS[i % COLORS.length], p.name]))));
  const pairs = [];
  for (let a = 0; a < parties.length; a++) for (let b = a + 1; b < parties.length; b++) pairs.push([a, b]);
  const pc = pairs.slice(0, 3).map(([a, b]) => h("figure", {}, paretoChart(d, a, b), h("figcaption", {}, "Outcomes (grey) by " + parties[a].name + "'s and " + parties[b].name + "'s utility; the frontier (line), reservation values (dashed).",
    legend([["#8e44ad", "Nash point (diamond)"], ["#2e8b57", "Kalai–Smorodinsky point (hollow square)"]].concat(d.agreement ? [["#c0392b", "agreement (ring)"]] : [])))));
  out.push(h("div", { class: "figs" }, u, pc));
  if (d.clauses && d.clauses.length) {
    out.push(h("h3", {}, "Clause timeline"), h("div", { class: "scroll" }, h("table", { class: "small" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Clause"), h("th", { scope: "col" }, "Moves"))),
      h("tbody", {}, d.clauses.map((c) => h("tr", {}, h("th", { scope: "row" }, human(c.name)),
        h("td", {}, c.changes.length ? c.changes.map((ch) => h("span", { class: "move st-" + ch.to }, "r" + (ch.round + 1) + " " + human(ch.to) + " (" + human(d.issues[c.issue].options[ch.option] || "blank") + ", " + (ch.actor === -1 ? "mediator" : ch.actor >= 0 ? parties[ch.actor].name : "all parties") + ")")) : "never written")))))));
  }
  out.push(h("h3", {}, "Who conceded when"), d.concessions.length ? h("ul", {}, d.concessions.map((c) => h("li", {},
    "Round " + (c.round + 1) + ": " + parties[c.party].name + (c.faction ? " (" + c.faction + ")" : "") + " " +
    (c.kind === "offer" ? "conceded " + fmtU(c.amount) + " in its offer" : c.kind === "accept" ? "accepted " + human(c.issue) + " after rejecting it" : "was told to lower its floor by " + fmtU(c.amount)) + "."))) : h("p", {}, "No one conceded."));
  out.push(h("p", {}, h("a", { id: "report-link", href: "/api/sessions/" + id + "/report?download=1&token=" + encodeURIComponent(token), download: "parley-" + id + ".html" }, "Download the report (self-contained HTML)")));
  return out;
}
