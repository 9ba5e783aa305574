// deptgraph explorer, editing: sign in with a token, then edit, create and delete the knowledge
// where it is read, with the API's own mutations. A module beside explorer.js: it imports what the
// page shares (its state, its texts, the API, the change feed) and redraws its controls on the
// "deptgraph:panel" event each panel the router draws announces.
//
// The token lives only in sessionStorage under "deptgraph.token" (as GraphiQL and the change feed
// keep it) and travels only in the Authorization header: never in a URL, a cookie or a log.
import { withBookmark } from "./api.js";
import { kindName, tr } from "./editor-i18n.js";
import { button, el, emptyOf, object, uid } from "./forms.js";
import { t } from "./i18n.js";
import { CASCADES, INSIDE } from "./inputs.js";
import { follow, refresh } from "./live.js";
import { state } from "./state.js";

const TOKEN_KEY = "deptgraph.token";

const ed = { me: null, detail: null, open: null };

// --- talking to the API ----------------------------------------------------------------------
async function call(query, variables) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  // Later reads include this write (api.js keeps the bookmark, and drops a refused one).
  const response = await withBookmark(headers, () =>
    fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables: variables || {} }) }));
  return response.json();
}

async function data(query, variables) {
  const body = await call(query, variables);
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

const RECORD = `query EditorRecord($kind: EditableKind!, $key: String!) {
  record(kind: $kind, key: $key) { version relationship value } }`;

async function record(kind, key) {
  const found = (await data(RECORD, { kind: kind.toUpperCase(), key })).record;
  if (!found) throw new Error(`${kind} '${key}'?`);
  return found;
}

function announce(message) {
  const status = document.getElementById("editor-status");
  status.textContent = "";
  // A fresh text node so that the same message said twice is announced twice.
  setTimeout(() => { status.textContent = message; }, 30);
}

// --- forms: create, edit, conflicts ---------------------------------------------------------------
function formArea() { return document.getElementById("editor-form"); }

function closeForm() {
  const hadFocus = formArea().contains(document.activeElement);
  ed.open = null;
  formArea().replaceChildren();
  if (hadFocus) document.getElementById("editor-heading").focus({ preventScroll: true }); // not lost to <body>
}

function showIn(section) {
  formArea().replaceChildren(section);
  const first = section.querySelector("input:not([readonly]), textarea, select, button");
  section.scrollIntoView({ block: "nearest" });
  if (first) first.focus({ preventScroll: true });
}

async function openEdit(kind, key, label) {
  const found = await record(kind, key);
  openForm({ kind, key, label, version: found.version, relationship: found.relationship, value: found.value });
}

function openCreate(kind, relationship, preset) {
  const value = { ...emptyOf(`${kind}Input!`), ...(preset || {}) };
  openForm({ kind, key: null, label: "", version: null, relationship, value });
}

function openForm(spec) {
  const controls = {};
  const form = object(`${spec.kind}Input`, spec.value, "input", "", controls, { keyFixed: spec.key != null });
  const heading = spec.key ? tr("editTitle", kindName(spec.kind), spec.label || spec.key) : tr("newTitle", kindName(spec.kind));
  const headingId = uid("form");
  const problems = el("div", { class: "form-errors", role: "alert" });
  const conflict = el("div", { class: "conflict-box" });
  const node = el("form", { class: "edit-form", "aria-labelledby": headingId, novalidate: true, "data-kind": spec.kind },
    el("h3", { id: headingId, text: heading }), problems, conflict, ...form.nodes,
    el("p", { class: "buttons" }, el("button", { type: "submit" }, tr("save")), button(tr("cancel"), closeForm)));
  ed.open = { ...spec, form, controls, node, problems, conflict };
  node.addEventListener("submit", (event) => { event.preventDefault(); save(ed.open).catch((e) => announce(e.message)); });
  node.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.stopPropagation(); closeForm(); } });
  showIn(node);
}

const CREATE = (kind) => `mutation EditorCreate${kind}(${INSIDE.has(kind) ? "$relationship: String!, " : ""}$input: ${kind}Input!) {
  create${kind}(${INSIDE.has(kind) ? "relationship: $relationship, " : ""}input: $input) { key version } }`;
const UPDATE = (kind) => `mutation EditorUpdate${kind}($key: String!, $version: Int!, $input: ${kind}Input!) {
  update${kind}(key: $key, expectedVersion: $version, input: $input) { key version } }`;

function clearErrors(open) {
  open.problems.replaceChildren();
  for (const node of open.node.querySelectorAll(".field-error")) node.remove();
  for (const input of Object.values(open.controls)) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
}

function controlFor(open, path) {
  if (open.controls[path]) return open.controls[path];
  // "input.text" → its first language; "input.steps[0]" → its first field
  const below = Object.keys(open.controls).find((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
  return below ? open.controls[below] : null;
}

function showErrors(open, errors) {
  const found = [];
  for (const error of errors) {
    const problems = (error.extensions && error.extensions.problems) || [{ field: error.extensions && error.extensions.field, message: error.message }];
    for (const problem of problems) {
      const input = problem.field ? controlFor(open, problem.field) : null;
      if (input) {
        const id = uid("error");
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        input.after(el("p", { class: "field-error", id, text: problem.message }));
      } else {
        open.problems.append(el("p", { class: "field-error", text: error.message }));
      }
      found.push(problem.message);
    }
  }
  const first = open.node.querySelector("[aria-invalid='true']");
  if (first) first.focus();
  announce(`${tr("notSaved")} ${found.join("; ")}`);
}

async function save(open, version) {
  clearErrors(open);
  announce(tr("working")); // what is announced next is this save's outcome
  const input = open.form.read();
  const creating = open.key == null;
  const body = creating
    ? await call(CREATE(open.kind), { input, relationship: open.relationship })
    : await call(UPDATE(open.kind), { key: open.key, version: version == null ? open.version : version, input });
  if (body.errors) {
    const stale = body.errors.find((e) => e.extensions && e.extensions.code === "CONFLICT" && e.extensions.currentVersion != null);
    if (stale && !creating) await showConflict(open, input);
    else showErrors(open, body.errors);
    return;
  }
  const saved = body.data[creating ? `create${open.kind}` : `update${open.kind}`];
  closeForm();
  announce(tr("saved", kindName(open.kind), saved.key));
  await refresh();
}

function flatten(value, path, out) {
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) out[path] = value.join(", ");
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  else out[path] = value == null ? "" : String(value);
  return out;
}

async function showConflict(open, mine) {
  const now = await record(open.kind, open.key);
  const latest = (await lastChanges([{ kind: open.kind, key: open.key }]))[`${open.kind}:${open.key}`];
  const theirs = flatten(now.value, "input", {});
  const yours = flatten(mine, "input", {});
  const paths = [...new Set([...Object.keys(theirs), ...Object.keys(yours)])].filter((p) => theirs[p] !== yours[p]);
  const headingId = uid("conflict");
  const table = el("table", { class: "conflict" },
    el("caption", { class: "visually-hidden", text: tr("conflictTitle") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: tr("field") }), el("th", { scope: "col", text: tr("theirs") }),
      el("th", { scope: "col", text: tr("yours") }))),
    el("tbody", {}, paths.map((p) => el("tr", {}, el("th", { scope: "row", text: p.replace(/^input\./, "") }),
      el("td", { class: "theirs", text: theirs[p] || "—" }), el("td", { class: "yours", text: yours[p] || "—" })))));
  open.conflict.replaceChildren(el("section", { class: "conflict-note", "aria-labelledby": headingId },
    el("h4", { id: headingId, text: tr("conflictTitle") }),
    latest ? el("p", { class: "last-change", text: tr("lastChanged", latest.actor, when(latest.at)) }) : null,
    el("p", { text: tr("conflictText", now.version) }), table,
    el("p", { class: "buttons" },
      button(tr("reapply"), () => save(open, now.version).catch((e) => announce(e.message))),
      button(tr("discard"), () => openForm({ ...open, version: now.version, value: now.value })))));
  announce(`${tr("conflictOther")} ${tr("conflictTitle")}`);
  open.conflict.querySelector("button").focus();
}

// --- deletes: preview what goes, then confirm -----------------------------------------------------
const DELETE = (kind) => `mutation EditorDelete${kind}($key: String!, $version: Int!, $dryRun: Boolean!) {
  delete${kind}(key: $key, expectedVersion: $version, ${CASCADES.has(kind) ? "cascade: true, " : ""}dryRun: $dryRun) {
    removed unlinked dryRun } }`;

function described(ident) {
  const [label, key] = ident.split(":");
  return `${kindName(label)}: ${key}`;
}

async function openDelete(kind, key, label, leaves) {
  const found = await record(kind, key);
  const body = await call(DELETE(kind), { key, version: found.version, dryRun: true });
  const headingId = uid("delete");
  const section = el("section", { class: "delete-preview", "aria-labelledby": headingId, "data-kind": kind },
    el("h3", { id: headingId, text: tr("deleteTitle", label || key) }));
  if (body.errors) {
    section.append(el("p", { class: "field-error", text: body.errors.map((e) => e.message).join("; ") }), button(tr("cancel"), closeForm));
    showIn(section);
    return;
  }
  const preview = body.data[`delete${kind}`];
  section.append(
    el("h4", { text: tr("willRemove") }), el("ul", { class: "removed" }, preview.removed.map((i) => el("li", { "data-ident": i, text: described(i) }))),
    ...(preview.unlinked.length ? [el("h4", { text: tr("willUnlink") }),
      el("ul", { class: "unlinked" }, preview.unlinked.map((i) => el("li", { "data-ident": i, text: described(i) })))] : []),
    el("p", { class: "buttons" },
      button(tr("confirmDelete"), async () => {
        announce(tr("working"));
        const done = await call(DELETE(kind), { key, version: found.version, dryRun: false });
        if (done.errors) { section.append(el("p", { class: "field-error", text: done.errors.map((e) => e.message).join("; ") })); return; }
        closeForm();
        announce(tr("deleted", label || key));
        if (leaves) location.hash = "";
        await refresh();
      }, { class: "danger" }),
      button(tr("cancel"), closeForm)));
  ed.open = { kind, key };
  showIn(section);
}

// --- verifying a relationship: someone confirms it still says how the two work together -----------
const VERIFY = `mutation EditorVerify($key: String!, $version: Int!) {
  verifyRelationship(key: $key, expectedVersion: $version) { key version verifiedAt verifiedBy } }`;

async function verify(key, label) {
  const found = await record("Relationship", key);
  const body = await call(VERIFY, { key, version: found.version });
  if (body.errors) { announce(`${tr("notSaved")} ${body.errors.map((e) => e.message).join("; ")}`); return; }
  announce(tr("verifiedNow", label || key));
  await refresh();
}

// --- history: who changed it, when, and what ------------------------------------------------------
const CHANGES = `query EditorHistory($key: String!) { changes(target: $key, limit: 100) { id at actor operation label before after } }`;
const when = (at) => new Date(at).toLocaleString(state.lang === "vi" ? "vi-VN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });

function difference(before, after) {
  const was = (before && before.properties) || {};
  const is = (after && after.properties) || {};
  const rows = [...new Set([...Object.keys(was), ...Object.keys(is)])].filter((k) => k !== "position" && JSON.stringify(was[k]) !== JSON.stringify(is[k]))
    .map((k) => [k, was[k], is[k]]);
  const links = (state) => ((state && state.links) || []).map((l) => `${l.type} ${l.outgoing ? "→" : "←"} ${l.key}`);
  const wasLinks = links(before), isLinks = links(after);
  if (wasLinks.join() !== isLinks.join()) rows.push([tr("links"), wasLinks.filter((l) => !isLinks.includes(l)).join(", "), isLinks.filter((l) => !wasLinks.includes(l)).join(", ")]);
  const show = (v) => (v == null ? "—" : Array.isArray(v) ? v.join(", ") : String(v));
  return el("table", { class: "diff" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: tr("field") }), el("th", { scope: "col", text: tr("before") }), el("th", { scope: "col", text: tr("after") }))),
    el("tbody", {}, rows.map(([k, a, b]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: show(a) }), el("td", { text: show(b) })))));
}

async function openHistory(kind, key, label) {
  const changes = (await data(CHANGES, { key })).changes.filter((c) => c.label === kind);
  const headingId = uid("history");
  const section = el("section", { class: "history", "aria-labelledby": headingId },
    el("h3", { id: headingId, text: tr("historyTitle", label || key) }),
    changes.length ? el("ol", { class: "changes" }, changes.map((c) => el("li", { "data-change": c.id },
      el("p", {}, el("strong", { text: c.operation }), ` — ${c.actor}, `, el("time", { datetime: c.at, text: when(c.at) })),
      difference(c.before, c.after)))) : el("p", { text: tr("noChanges") }),
    el("p", { class: "buttons" }, button(tr("close"), closeForm)));
  ed.open = { kind, key };
  showIn(section);
}

// The latest change of each item, a dozen per request (requests are limited in aliases).
async function lastChanges(items) {
  const out = {};
  for (let i = 0; i < items.length; i += 12) {
    const batch = items.slice(i, i + 12);
    const query = `query EditorLastChanges(${batch.map((_, j) => `$k${j}: String`).join(", ")}) {
      ${batch.map((_, j) => `c${j}: changes(target: $k${j}, limit: 5) { at actor label }`).join(" ")} }`;
    const found = await data(query, Object.fromEntries(batch.map((item, j) => [`k${j}`, item.key])));
    batch.forEach((item, j) => { out[`${item.kind}:${item.key}`] = found[`c${j}`].find((c) => c.label === item.kind) || null; });
  }
  return out;
}

// --- what each panel offers to edit ---------------------------------------------------------------
async function itemsFor(detail) {
  const lang = state.lang.toUpperCase();
  const [a, b] = detail.keys || [];
  const groups = []; // {title, items: [{kind, key, label, leaves}], create: [{kind, relationship, preset}]}
  if (detail.view === "department" && a) {
    const d = (await data(`query EditorDepartment($key: String!, $lang: Lang) { department(key: $key) {
      key name(lang: $lang) relationships { key title(lang: $lang) } } }`, { key: a, lang })).department;
    if (d) {
      groups.push({ items: [{ kind: "Department", key: d.key, label: d.name, leaves: true }] });
      groups.push({ title: kindName("Relationship"), items: d.relationships.map((r) => ({ kind: "Relationship", key: r.key, label: r.title })),
        create: [{ kind: "Relationship", preset: { departments: [d.key] } }] });
    }
  } else if (detail.view === "relationship" && b) {
    const r = (await data(`query EditorRelationship($a: String!, $b: String!, $lang: Lang) { relationship(between: $a, and: $b) {
      key title(lang: $lang) departments { key } flows { key text(lang: $lang) provider { key } receiver { key } }
      examples { key title(lang: $lang) } } }`, { a, b, lang })).relationship;
    if (r) {
      const [p, q] = r.departments.map((d) => d.key);
      groups.push({ items: [{ kind: "Relationship", key: r.key, label: r.title, leaves: true }] });
      groups.push({ title: t("betweenFlows"), items: r.flows.map((f) => ({ kind: "Flow", key: f.key, label: f.text })),
        create: [{ kind: "Flow", relationship: r.key, preset: { provider: p, receiver: q } }] });
      groups.push({ title: t("example"), items: r.examples.map((s) => ({ kind: "Scenario", key: s.key, label: s.title })),
        create: [{ kind: "Scenario", relationship: r.key, preset: { steps: [{ ...emptyOf("StepInput!"), actor: p, recipient: q }] } }] });
    }
  } else if (detail.view === "flows" && b) {
    const flows = (await data(`query EditorFlows($of: String!, $from: String, $lang: Lang) { needs(of: $of, from: $from) {
      key text(lang: $lang) relationship { key } } }`, { of: b, from: a, lang })).needs;
    groups.push({ items: flows.map((f) => ({ kind: "Flow", key: f.key, label: f.text })),
      create: flows.length ? [{ kind: "Flow", relationship: flows[0].relationship.key, preset: { provider: a, receiver: b } }] : [] });
  } else if (detail.view === "party" && a) {
    const p = (await data(`query EditorParties($lang: Lang) { parties { key name(lang: $lang) } }`, { lang })).parties.find((x) => x.key === a);
    if (p) groups.push({ items: [{ kind: "Party", key: p.key, label: p.name, leaves: true }] });
  } else if (detail.view === "welcome") {
    const all = await data(`query EditorEverything($lang: Lang) { departments { key name(lang: $lang) } parties { key name(lang: $lang) }
      topics { key name(lang: $lang) } principles { key title(lang: $lang) } statements { key text(lang: $lang) } }`, { lang });
    groups.push({ title: t("departments"), items: all.departments.map((d) => ({ kind: "Department", key: d.key, label: d.name })),
      create: [{ kind: "Department" }, { kind: "Relationship" }] });
    groups.push({ title: kindName("Party"), items: all.parties.map((p) => ({ kind: "Party", key: p.key, label: p.name })), create: [{ kind: "Party" }] });
    groups.push({ title: kindName("Topic"), items: all.topics.map((x) => ({ kind: "Topic", key: x.key, label: x.name })), create: [{ kind: "Topic" }] });
    groups.push({ title: kindName("Principle"), items: all.principles.map((x) => ({ kind: "Principle", key: x.key, label: x.title })), create: [{ kind: "Principle" }] });
    groups.push({ title: kindName("Statement"), items: all.statements.map((x) => ({ kind: "Statement", key: x.key, label: x.text })), create: [{ kind: "Statement" }] });
  }
  return groups;
}

const canEdit = () => ed.me && (ed.me.role === "editor" || ed.me.role === "admin");

async function renderControls() {
  const box = document.getElementById("editor");
  const list = document.getElementById("editor-items");
  const detail = ed.detail;
  if (!canEdit() || !detail) { box.hidden = true; list.replaceChildren(); return; }
  const groups = await itemsFor(detail);
  if (detail !== ed.detail) return; // another panel was drawn meanwhile
  box.hidden = !groups.length;
  const rows = [];
  list.replaceChildren(...groups.map((group) => el("section", { class: "edit-group" },
    group.title ? el("h3", { text: group.title }) : null,
    el("ul", {}, group.items.map((item) => {
      const labelId = uid("item");
      const last = el("span", { class: "last-change" });
      rows.push({ item, last });
      const describe = { "aria-describedby": labelId };
      return el("li", { "data-kind": item.kind, "data-key": item.key },
        el("span", { class: "what", id: labelId, text: `${kindName(item.kind)}: ${item.label}` }), " ", last,
        el("span", { class: "row-buttons" },
          button(tr("edit"), () => openEdit(item.kind, item.key, item.label).catch((e) => announce(e.message)), describe),
          button(tr("del"), () => openDelete(item.kind, item.key, item.label, item.leaves).catch((e) => announce(e.message)), describe),
          button(tr("history"), () => openHistory(item.kind, item.key, item.label).catch((e) => announce(e.message)), describe),
          item.kind === "Relationship" ? button(tr("verify"), () => verify(item.key, item.label).catch((e) => announce(e.message)),
            { ...describe, "data-verify": item.key }) : null));
    })),
    (group.create || []).length ? el("p", { class: "buttons" }, group.create.map((c) =>
      button(tr("create", kindName(c.kind)), () => openCreate(c.kind, c.relationship || null, c.preset)))) : null)));
  if (detail.view === "welcome") list.prepend(await unansweredSection()); // what to add to the seed files first
  const found = await lastChanges(rows.map((r) => r.item));
  for (const { item, last } of rows) {
    const change = found[`${item.kind}:${item.key}`];
    last.textContent = change ? tr("lastChanged", change.actor, when(change.at)) : "";
  }
  document.getElementById("editor").dataset.ready = String(Number(document.getElementById("editor").dataset.ready || 0) + 1);
}

// --- the questions Ask could not answer, for editors and admins ----------------------------------
async function unansweredSection() {
  const found = (await data(`query EditorUnanswered { unansweredQuestions(first: 20) { totalCount
    nodes { key text count lastAsked answered } } }`)).unansweredQuestions;
  const rows = found.nodes.map((q) => el("li", { "data-unanswered": q.key },
    el("span", { class: "what", text: q.text }), " ",
    el("span", { class: "last-change", text: `${tr("askedTimes", q.count)} · ${when(q.lastAsked)}${q.answered ? ` · ${tr("unsure")}` : ""}` }),
    el("span", { class: "row-buttons" }, button(tr("askAgain"), () => { location.hash = `#/ask/${encodeURIComponent(q.text)}`; }))));
  return el("section", { class: "edit-group", id: "unanswered", "aria-labelledby": "unanswered-heading" },
    el("h3", { id: "unanswered-heading", text: tr("unanswered") }),
    el("p", { class: "hint", text: tr("unansweredHint") }),
    rows.length ? el("ul", {}, rows) : el("p", { text: tr("noUnanswered") }));
}

// --- signing in and out --------------------------------------------------------------------------
function renderAccount() {
  const who = document.getElementById("account-who");
  const signedIn = Boolean(ed.me);
  who.textContent = signedIn ? tr("signedInAs", ed.me.name, ed.me.role) : "";
  document.getElementById("sign-in-open").hidden = signedIn || !document.getElementById("sign-in").hidden;
  document.getElementById("sign-out").hidden = !signedIn;
  document.getElementById("sign-in-open").textContent = tr("signIn");
  document.getElementById("sign-in-submit").textContent = tr("signIn");
  document.getElementById("sign-out").textContent = tr("signOut");
  document.getElementById("token-label").textContent = tr("token");
  document.getElementById("editor-heading").textContent = tr("editing");
}

async function whoAmI() {
  const body = await call("query EditorMe { me { name role } }");
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data.me;
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    ed.me = await whoAmI();
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    ed.me = null;
    announce(tr("badToken", error.message));
    return false;
  }
  document.getElementById("sign-in").hidden = true;
  renderAccount();
  announce(tr("signedInAs", ed.me.name, ed.me.role));
  follow(); // other people's changes appear too
  await renderControls();
  return true;
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  // A fresh page: no change feed left open, no form left with the old token's rights.
  location.reload();
}

function buildChrome() {
  const header = document.querySelector("header");
  const tokenInput = el("input", { id: "token-input", type: "password", autocomplete: "off", spellcheck: "false", required: true });
  const form = el("form", { id: "sign-in", hidden: true, autocomplete: "off" },
    el("label", { id: "token-label", for: "token-input" }), tokenInput, el("button", { type: "submit", id: "sign-in-submit" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    tokenInput.value = ""; // not kept in the page once used
    if (token) await signIn(token);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); form.hidden = true; renderAccount(); document.getElementById("sign-in-open").focus(); }
  });
  header.append(el("div", { class: "account" },
    el("span", { id: "account-who" }),
    el("button", { type: "button", id: "sign-in-open", onclick: () => { form.hidden = false; renderAccount(); tokenInput.focus(); } }),
    form,
    el("button", { type: "button", id: "sign-out", hidden: true, onclick: signOut }),
    el("p", { id: "editor-status", role: "status", "aria-live": "polite" })));
  const panel = document.getElementById("panel");
  const editor = el("section", { id: "editor", hidden: true, "aria-labelledby": "editor-heading" },
    el("h2", { id: "editor-heading", tabindex: "-1" }), el("div", { id: "editor-items" }), el("div", { id: "editor-form" }));
  panel.insertBefore(editor, panel.querySelector("nav.browse"));
  renderAccount();
}

document.addEventListener("deptgraph:panel", (event) => {
  ed.detail = event.detail;
  renderAccount(); // the language may have changed
  renderControls().catch((error) => announce(error.message));
});

async function start() {
  buildChrome();
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try {
      ed.me = await whoAmI();
    } catch (error) {
      sessionStorage.removeItem(TOKEN_KEY); // revoked or unknown: signed out, and told so
      announce(tr("badToken", error.message));
    }
    renderAccount();
    await renderControls();
  }
  document.body.dataset.editor = "ready";
}

start().catch((error) => announce(error.message));
