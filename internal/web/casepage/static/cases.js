// Sealing and opening cases in the page: plaintext details, identities,
// evidence and messages never leave it; only age ciphertext is sent.
import { Encrypter, Decrypter, generateX25519Identity, identityToRecipient, armor } from "./vendor/age-encryption/age.js";

const $ = (id) => document.getElementById(id);
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
  if (keys.length === 0) throw new Error("no secret key (AGE-SECRET-KEY-1...) given");
  for (const k of keys) d.addIdentity(k);
  const s = sealed.trim();
  const bytes = s.startsWith("-----BEGIN") ? armor.decode(s) : Uint8Array.from(atob(s.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  try {
    return JSON.parse(await d.decrypt(bytes, "text"));
  } catch (err) {
    if (String(err).includes("no identity matched")) throw new Error("none of your keys is a recipient of this case");
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

function checkbox(name, key, label, checked, officeKey) {
  const l = document.createElement("label");
  l.className = "inline";
  const c = document.createElement("input");
  c.type = "checkbox";
  c.name = "recipient";
  c.value = key;
  c.checked = checked;
  if (officeKey) c.dataset.office = "1";
  l.append(c, " " + label + " ", Object.assign(document.createElement("code"), { textContent: key.slice(0, 16) + "…" }));
  return l;
}

async function loadRecipients() {
  const to = $("file-to").value.trim();
  const r = await call("GET", "/cases/recipients?to=" + encodeURIComponent(to));
  const box = $("file-recipients");
  box.replaceChildren();
  box.dataset.platform = r.platform.id;
  for (const k of r.platform.recipients || []) box.append(checkbox("recipient", k, r.platform.name + " case handlers", true));
  for (const k of r.platform.country_office_recipients || []) {
    box.append(checkbox("recipient", k, r.platform.name + " country office", false, true));
  }
  for (const k of r.filer.recipients || []) box.append(checkbox("recipient", k, "your organisation", true));
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
  if (recipients.length === 0) throw new Error("choose at least one recipient (load the platform's recipients first)");
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
  say("file-status", "Filed as case " + c.id);
  $("open-id").value = c.id;
  $("file-status").dataset.caseId = c.id;
}

async function listCases() {
  const r = await call("GET", "/cases?limit=1000");
  const body = $("case-list").tBodies[0];
  body.replaceChildren();
  for (const c of r.cases) {
    const tr = document.createElement("tr");
    const late = (c.clocks || []).filter((k) => k.overdue).map((k) => k.milestone).join(", ");
    const open = Object.assign(document.createElement("button"), { type: "button", textContent: c.id });
    open.addEventListener("click", () => { $("open-id").value = c.id; $("open-identity").focus(); });
    const cells = [open, c.status, c.urgency, c.kind, c.country, c.filed_at, late, c.summary];
    for (const v of cells) {
      const td = document.createElement("td");
      if (typeof v === "string") td.textContent = v; else td.append(v);
      tr.append(td);
    }
    if (late) tr.className = "overdue";
    body.append(tr);
  }
  $("case-list").hidden = false;
  say("list-status", r.cases.length + " case(s)" + (r.next_cursor ? "; more exist, use the CLI to see all" : ""));
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
  $("case-status").textContent = c.status + (c.outcome ? " (" + c.outcome + ")" : "");
  $("case-kind").textContent = c.kind;
  $("case-country").textContent = c.country;
  $("case-urgency").textContent = c.urgency;
  $("case-filed").textContent = c.filed_at;
  listInto("case-clocks", c.clocks || [], (li, k) => {
    li.textContent = k.milestone + ": " + (k.reached ? "reached " + k.reached : "due " + k.due) + (k.overdue ? " — overdue" : "");
    if (k.overdue) li.className = "overdue";
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
    try { text = (await open(m.sealed, identity)).text; } catch (err) { text = "(cannot open: " + err.message + ")"; }
    msgs.push({ from: m.from, at: m.at, text });
  }
  listInto("case-messages", msgs, (li, m) => {
    li.append(Object.assign(document.createElement("strong"), { textContent: m.from + " · " + m.at }));
    li.append(Object.assign(document.createElement("p"), { textContent: m.text }));
  });
  const sel = $("status-select");
  sel.replaceChildren(...(c.next || []).map((s) => Object.assign(document.createElement("option"), { value: s, textContent: s })));
  $("status-form").hidden = (c.next || []).length === 0;
  $("case-view").hidden = false;
  say("open-status", "Opened case " + c.id);
}

async function reply(ev) {
  ev.preventDefault();
  const sealed = await seal({ text: $("reply-text").value }, current.recipients);
  await call("POST", "/cases/" + encodeURIComponent(current.id) + "/messages", { sealed });
  $("reply-text").value = "";
  await openCase();
  say("case-action-status", "Reply sent");
}

async function changeStatus(ev) {
  ev.preventDefault();
  const body = { status: $("status-select").value };
  if ($("status-outcome").value) body.outcome = $("status-outcome").value;
  await call("POST", "/cases/" + encodeURIComponent(current.id) + "/status", body);
  await openCase();
  say("case-action-status", "Status changed to " + body.status);
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
    say("session-status", "Token set for this tab");
  });
  if (token()) say("session-status", "Token set for this tab");
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
