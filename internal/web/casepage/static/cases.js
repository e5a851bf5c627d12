// Sealing and opening cases in the page: plaintext details, identities,
// evidence and messages never leave it; only age ciphertext is sent.
import { Encrypter, Decrypter, generateX25519Identity, identityToRecipient, armor } from "./vendor/age-encryption/age.js";

const $ = (id) => document.getElementById(id);
// Words come from the server in the page's language.
const M = JSON.parse(document.body.dataset.msgs || "{}");
const t = (k) => M[k] || k;
const label = (kind, v) => (v ? M[kind + "." + v] || v : "");
const api = () => document.body.dataset.api || "/api/v1";
const token = () => sessionStorage.getItem("candor-token") || "";

export async function seal(value, recipients) {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(JSON.stringify(value)));
}

export async function open(sealed, identityText) {
  const d = new Decrypter();
  const keys = identityText.split(/\s+/).filter((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (keys.length === 0) throw new Error(t("cases.open.no_key"));
  for (const k of keys) d.addIdentity(k);
  const s = sealed.trim();
  const bytes = s.startsWith("-----BEGIN") ? armor.decode(s) : Uint8Array.from(atob(s.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  try {
    return JSON.parse(await d.decrypt(bytes, "text"));
  } catch (err) {
    if (String(err).includes("no identity matched")) throw new Error(t("cases.open.not_recipient"));
    throw err;
  }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(api() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    let msg = [data.title, data.detail].filter(Boolean).join(": ") || "HTTP " + res.status;
    for (const e of data.errors || []) msg += "\n" + e.field + ": " + e.message;
    throw new Error(msg);
  }
  return data;
}

function say(id, text, isError) {
  const o = $(id);
  o.textContent = text;
  o.classList.toggle("error", !!isError);
}

function lines(id) {
  return $(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
}

function listInto(id, items, render) {
  const ul = $(id);
  ul.replaceChildren();
  for (const it of items) {
    const li = document.createElement("li");
    render(li, it);
    ul.append(li);
  }
}

function checkbox(name, key, text, checked, officeKey) {
  const l = document.createElement("label");
  l.className = "inline";
  const c = document.createElement("input");
  c.type = "checkbox";
  c.name = "recipient";
  c.value = key;
  c.checked = checked;
  if (officeKey) c.dataset.office = "1";
  l.append(c, " " + text + " ", Object.assign(document.createElement("code"), { textContent: key.slice(0, 16) + "…" }));
  return l;
}

async function loadRecipients() {
  const to = $("file-to").value.trim();
  const r = await call("GET", "/cases/recipients?to=" + encodeURIComponent(to));
  const box = $("file-recipients");
  box.replaceChildren();
  box.dataset.platform = r.platform.id;
  for (const k of r.platform.recipients || []) box.append(checkbox("recipient", k, r.platform.name + ": " + t("cases.file.handlers"), true));
  for (const k of r.platform.country_office_recipients || []) {
    box.append(checkbox("recipient", k, r.platform.name + ": " + t("cases.file.office"), false, true));
  }
  for (const k of r.filer.recipients || []) box.append(checkbox("recipient", k, t("cases.file.own"), true));
  syncOffice();
}

// Country-office keys can be chosen only with the explicit consent box.
function syncOffice() {
  const consent = $("file-share").checked;
  for (const c of document.querySelectorAll("#file-recipients input[data-office]")) {
    c.disabled = !consent;
    if (!consent) c.checked = false;
  }
}

async function readFiles(input) {
  const out = [];
  for (const f of input.files) {
    const buf = new Uint8Array(await f.arrayBuffer());
    let bin = "";
    for (const b of buf) bin += String.fromCharCode(b);
    out.push({ name: f.name, type: f.type, data: btoa(bin) });
  }
  return out;
}

async function fileCase(ev) {
  ev.preventDefault();
  const recipients = [...document.querySelectorAll("#file-recipients input[name=recipient]:checked")].map((c) => c.value);
  if (recipients.length === 0) throw new Error(t("cases.file.no_recipient"));
  const details = {
    text: $("file-details").value,
    identities: lines("file-identities"),
    links: lines("file-links"),
    evidence: await readFiles($("file-evidence")),
  };
  const body = {
    addressed_to: $("file-recipients").dataset.platform || $("file-to").value.trim(),
    kind: $("file-kind").value,
    country: $("file-country").value.trim().toUpperCase(),
    urgency: $("file-urgency").value,
    summary: $("file-summary").value,
    sealed: await seal(details, recipients),
    recipients,
    share_with_country_office: $("file-share").checked,
  };
  const c = await call("POST", "/cases", body);
  for (const id of ["file-details", "file-identities", "file-links"]) $(id).value = "";
  $("file-evidence").value = "";
  say("file-status", t("cases.file.filed") + " " + c.id);
  $("open-id").value = c.id;
  $("file-status").dataset.caseId = c.id;
}

async function listCases() {
  const r = await call("GET", "/cases?limit=1000");
  const body = $("case-list").tBodies[0];
  body.replaceChildren();
  for (const c of r.cases) {
    const tr = document.createElement("tr");
    const open = Object.assign(document.createElement("button"), { type: "button", textContent: c.id });
    open.addEventListener("click", () => { $("open-id").value = c.id; $("open-identity").focus(); });
    const late = (c.clocks || []).filter((k) => k.overdue).map((k) => label("case_milestone", k.milestone)).join(", ");
    const cells = [open, label("case_status", c.status), label("case_urgency", c.urgency), label("case_kind", c.kind),
      c.country, c.filed_at, late, c.summary];
    for (const v of cells) {
      const td = document.createElement("td");
      if (typeof v === "string") td.textContent = v; else td.append(v);
      tr.append(td);
    }
    if (late) tr.className = "overdue";
    body.append(tr);
  }
  $("case-list").hidden = false;
  say("list-status", t("cases.list.count").replace("{n}", r.cases.length) + (r.next_cursor ? " " + t("cases.list.more") : ""));
}

let current = null;

async function openCase(ev) {
  if (ev) ev.preventDefault();
  const id = $("open-id").value.trim();
  const identity = $("open-identity").value;
  const c = await call("GET", "/cases/" + encodeURIComponent(id));
  const details = await open(c.sealed, identity);
  current = c;
  $("case-summary").textContent = c.summary;
  $("case-status").textContent = label("case_status", c.status) + (c.outcome ? " (" + label("case_outcome", c.outcome) + ")" : "");
  $("case-status").dataset.status = c.status;
  $("case-kind").textContent = label("case_kind", c.kind);
  $("case-country").textContent = c.country;
  $("case-urgency").textContent = label("case_urgency", c.urgency);
  $("case-filed").textContent = c.filed_at;
  listInto("case-clocks", c.clocks || [], (li, k) => {
    li.textContent = label("case_milestone", k.milestone) + ": " + (k.reached ? t("cases.clock.reached") + " " + k.reached : t("cases.clock.due") + " " + k.due) +
      (k.overdue ? " — " + t("cases.clock.overdue") : "");
    if (k.overdue) li.className = "overdue";
  });
  listInto("case-reminders", c.reminders || [], (li, r) => {
    li.textContent = r.milestone
      ? label("case_milestone", r.milestone) + ": " + (r.overdue ? t("cases.clock.overdue") + ", " : "") + t("cases.clock.due") + " " + r.due
      : t("cases.reminder.follow_up");
    if (r.overdue) li.className = "overdue";
  });
  $("case-details").textContent = details.text || "";
  listInto("case-identities", details.identities || [], (li, s) => { li.textContent = s; });
  listInto("case-links", details.links || [], (li, s) => { li.textContent = s; });
  listInto("case-evidence", details.evidence || [], (li, f) => {
    const a = document.createElement("a");
    const bytes = Uint8Array.from(atob(f.data), (ch) => ch.charCodeAt(0));
    a.href = URL.createObjectURL(new Blob([bytes], { type: f.type || "application/octet-stream" }));
    a.download = f.name;
    a.textContent = f.name;
    li.append(a);
  });
  const msgs = [];
  for (const m of c.messages || []) {
    let text;
    try { text = (await open(m.sealed, identity)).text; } catch (err) { text = "(" + t("cases.open.cannot") + ": " + err.message + ")"; }
    msgs.push({ from: m.from, at: m.at, text });
  }
  listInto("case-messages", msgs, (li, m) => {
    li.append(Object.assign(document.createElement("strong"), { textContent: m.from + " · " + m.at }));
    li.append(Object.assign(document.createElement("p"), { textContent: m.text }));
  });
  const sel = $("status-select");
  sel.replaceChildren(...(c.next || []).map((s) => Object.assign(document.createElement("option"), { value: s, textContent: label("case_status", s) })));
  $("status-form").hidden = (c.next || []).length === 0;
  $("case-view").hidden = false;
  say("open-status", t("cases.open.opened") + " " + c.id);
}

async function reply(ev) {
  ev.preventDefault();
  const sealed = await seal({ text: $("reply-text").value }, current.recipients);
  await call("POST", "/cases/" + encodeURIComponent(current.id) + "/messages", { sealed });
  $("reply-text").value = "";
  await openCase();
  say("case-action-status", t("cases.reply.sent"));
}

async function changeStatus(ev) {
  ev.preventDefault();
  const body = { status: $("status-select").value };
  if ($("status-outcome").value) body.outcome = $("status-outcome").value;
  await call("POST", "/cases/" + encodeURIComponent(current.id) + "/status", body);
  await openCase();
  say("case-action-status", t("cases.status.changed") + " " + label("case_status", body.status));
}

function keygen() {
  return generateX25519Identity().then(async (secret) => {
    $("keygen-secret").value = secret;
    $("keygen-public").value = await identityToRecipient(secret);
  });
}

function guard(fn, outputId) {
  return (ev) => fn(ev).catch((err) => {
    if (ev) ev.preventDefault();
    say(outputId, err.message, true);
  });
}

function start() {
  $("session-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("candor-token", $("token").value.trim());
    $("token").value = "";
    say("session-status", t("cases.token.set"));
  });
  if (token()) say("session-status", t("cases.token.set"));
  $("keygen").addEventListener("click", guard(keygen, "session-status"));
  $("list-load").addEventListener("click", guard(listCases, "list-status"));
  $("file-load-keys").addEventListener("click", guard(loadRecipients, "file-status"));
  $("file-share").addEventListener("change", syncOffice);
  $("file-form").addEventListener("submit", guard(fileCase, "file-status"));
  $("open-form").addEventListener("submit", guard(openCase, "open-status"));
  $("reply-form").addEventListener("submit", guard(reply, "case-action-status"));
  $("status-form").addEventListener("submit", guard(changeStatus, "case-action-status"));
  document.body.dataset.ready = "1";
}

start();
