// The lobby: pick a scenario, a variant and the rules, say who plays each
// seat, create the session and hand out one invite link per seat.
"use strict";

const $ = (id) => document.getElementById(id);
let scenarios = [], agents = [], preview = null;

function source() { return document.querySelector("input[name=source]:checked").value; }

async function readFile(input) {
  const f = input.files[0];
  return f ? await f.text() : null;
}
async function readFiles(input) {
  return Promise.all(Array.from(input.files).map((f) => f.text()));
}

// spec builds the body of POST /api/sessions from the form, without seats.
async function spec() {
  const sp = {};
  switch (source()) {
    case "builtin": sp.scenario = $("scenario").value; break;
    case "yaml": {
      sp.yaml = await readFile($("yaml-file"));
      if (!sp.yaml) throw new Error("Choose a scenario file.");
      break;
    }
    case "genius": {
      const domain = await readFile($("genius-domain"));
      const profiles = await readFiles($("genius-profiles"));
      if (!domain || profiles.length < 2) throw new Error("Choose a Genius domain file and at least two profiles.");
      sp.genius = { domain, profiles, name: ($("genius-domain").files[0].name || "").replace(/(-domain)?\.xml$/i, "") };
      break;
    }
    case "geniusweb": {
      const domain = await readFile($("gw-domain"));
      const profiles = await readFiles($("gw-profiles"));
      if (profiles.length < 2) throw new Error("Choose at least two GeniusWeb profiles.");
      sp.geniusweb = { profiles };
      if (domain) sp.geniusweb.domain = domain;
      break;
    }
  }
  if ($("variant").value) sp.variant = $("variant").value;
  if ($("protocol").value) sp.protocol = $("protocol").value;
  const rounds = parseInt($("rounds").value, 10), dur = $("duration").value.trim();
  if (rounds > 0 && dur) sp.deadline = { rounds, duration: dur };
  else if (rounds > 0) sp.deadline = rounds;
  else if (dur) sp.deadline = dur;
  return sp;
}

function showError(e) { $("lobby-error").textContent = e ? (e.message || String(e)) : ""; }

function setVariants(list) {
  const sel = $("variant"), keep = sel.value;
  replace(sel, h("option", { value: "" }, "(the scenario as it is)"),
    (list || []).map((v) => h("option", { value: v.name, selected: v.name === keep }, v.name)));
  describeVariant(list);
  sel.onchange = () => { describeVariant(list); hideSeats(); };
}
function describeVariant(list) {
  const v = (list || []).find((x) => x.name === $("variant").value);
  $("variant-about").textContent = v ? v.description || "" : "";
}

function hideSeats() { $("seats-section").hidden = true; preview = null; }

// agentsFor lists the built-in agents that may play a seat of role.
function agentsFor(role, protocol) {
  const want = role === "mediator" ? "mediator" : role === "principal" ? "principal" : "negotiator";
  return agents.filter((a) => a.role === want && (!a.protocols || !a.protocols.length || a.protocols.includes(protocol)));
}

function seatRow(s, i) {
  const options = agentsFor(s.role, preview.protocol);
  const id = "seat-" + i;
  const kind = h("select", { id: id + "-kind", "data-seat": s.seat, "aria-describedby": id + "-role" },
    h("option", { value: "human" }, "a person"),
    h("option", { value: "remote" }, "a remote agent (program)"),
    options.map((a) => h("option", { value: "agent:" + a.name, title: a.summary }, "agent: " + a.name)));
  const params = h("input", { id: id + "-params", type: "text", placeholder: "parameters, e.g. e=0.2", hidden: true, "aria-label": "parameters of the agent in seat " + s.name });
  if (s.player && s.player !== "human") {
    const v = s.player === "remote" ? "remote" : "agent:" + s.player.split(":")[0];
    if (Array.from(kind.options).some((o) => o.value === v)) kind.value = v;
    if (v.startsWith("agent:") && s.player.includes(":")) params.value = s.player.split(":").slice(1).join(":");
  }
  const about = h("p", { class: "hint", id: id + "-about" });
  const sync = () => {
    params.hidden = !kind.value.startsWith("agent:");
    const a = agents.find((x) => "agent:" + x.name === kind.value);
    about.textContent = a ? a.summary + (a.params ? " Parameters: " + a.params : "") : "";
  };
  kind.onchange = sync;
  sync();
  return h("div", { class: "seat-row" },
    h("label", { for: id + "-kind" }, h("strong", {}, s.name), " ", h("span", { class: "tag", id: id + "-role" }, s.role)),
    kind, params, about);
}

function seatsOfForm() {
  const out = {};
  preview.seats.forEach((s, i) => {
    const k = $("seat-" + i + "-kind").value, p = $("seat-" + i + "-params").value.trim();
    out[s.seat] = k.startsWith("agent:") ? k.slice(6) + (p ? ":" + p : "") : k;
  });
  return out;
}

async function doPreview() {
  showError(null);
  try {
    const sp = await spec();
    preview = await api("POST", "/api/scenarios/preview", null, sp);
    if (source() !== "builtin") setVariants(preview.variants);
    replace($("issues"), h("p", {}, (preview.title || preview.scenario) + " — " + preview.protocol + ", " + preview.rounds + " rounds; issues: " +
      preview.issues.map((is) => human(is.name)).join(", ") + "."),
      (preview.warnings || []).map((w) => h("p", { class: "warn" }, w)));
    replace($("seats"), preview.seats.map(seatRow));
    $("seats-section").hidden = false;
    $("seat-0-kind").focus();
  } catch (e) { showError(e); }
}

async function doCreate(ev) {
  ev.preventDefault();
  showError(null);
  try {
    const sp = await spec();
    sp.seats = seatsOfForm();
    const made = await api("POST", "/api/sessions", null, sp);
    const items = made.seats.map((s) => {
      if (s.player !== "human" && s.player !== "remote")
        return h("li", {}, h("strong", {}, s.name), " — played by the built-in agent ", h("code", {}, s.player));
      const url = location.origin + "/s/" + made.id + "#t=" + s.token;
      const copy = h("button", { type: "button", "aria-label": "copy the link of seat " + s.name }, "Copy");
      copy.onclick = async () => { try { await navigator.clipboard.writeText(url); copy.textContent = "Copied"; } catch (e) { copy.textContent = "Select and copy"; } };
      return h("li", { "data-seat": s.seat },
        h("strong", {}, s.name), " ", h("span", { class: "tag" }, s.role), s.player === "remote" ? h("span", { class: "tag" }, "remote agent") : null,
        h("br"), h("a", { href: url, class: "invite", "data-seat": s.seat }, url), " ", copy,
        s.player === "remote" ? h("p", { class: "hint" }, "A program connects with this seat's token: ", h("code", {}, s.token)) : null);
    });
    replace($("links"), items);
    $("invites").hidden = false;
    $("setup").hidden = true;
    $("invites-h").focus();
  } catch (e) { showError(e); }
}

async function init() {
  $("invites-h").tabIndex = -1;
  for (const r of document.querySelectorAll("input[name=source]")) {
    r.onchange = () => {
      for (const d of document.querySelectorAll("[data-source]")) d.hidden = d.dataset.source !== source();
      if (source() === "builtin") setVariants((scenarios.find((s) => s.name === $("scenario").value) || {}).variants);
      else setVariants([]);
      hideSeats();
    };
  }
  for (const id of ["yaml-file", "genius-domain", "genius-profiles", "gw-domain", "gw-profiles", "protocol", "rounds", "duration"]) $(id).addEventListener("change", hideSeats);
  $("preview").onclick = doPreview;
  $("setup").onsubmit = doCreate;
  try {
    [scenarios, agents] = await Promise.all([api("GET", "/api/scenarios"), api("GET", "/api/agents")]);
  } catch (e) { showError(e); return; }
  replace($("scenario"), scenarios.map((s) => h("option", { value: s.name }, s.title ? s.title + " (" + s.name + ")" : s.name)));
  const about = () => {
    const s = scenarios.find((x) => x.name === $("scenario").value);
    $("scenario-about").textContent = s ? s.description || "" : "";
    setVariants(s ? s.variants : []);
    hideSeats();
  };
  $("scenario").onchange = about;
  about();
}

init();
