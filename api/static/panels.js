// The side panel: what a department, a direction of flows, a relationship, the paths between two
// departments, an answer, a party or the welcome shows; the selection in the drawing that follows
// it; and the lists for keyboards and screen readers beside it.
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { current, nameOf, staleBetween, state } from "./state.js";

// Every text written into the panel's HTML goes through esc.
export const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// --- lists for keyboards and screen readers ----------------------------------------------
export function renderLists() {
  const departments = document.getElementById("department-list");
  departments.innerHTML = Object.values(state.nodes)
    .map((n) => `<li><button type="button" data-hash="#/${n.kind === "party" ? "party" : "department"}/${esc(n.key)}">${esc(n[state.lang])}</button></li>`)
    .join("");
  const edges = document.getElementById("edge-list");
  edges.innerHTML = state.edges
    .filter((e) => e.kind === "flows")
    .map((e) => `<li><button type="button" data-hash="#/flows/${esc(e.from)}/${esc(e.to)}">${esc(nameOf(e.from))} → ${esc(nameOf(e.to))} (${e.count})${
      staleBetween(e.from, e.to) ? ` — ${esc(t("stale"))}` : ""}</button></li>`)
    .join("");
  const all = document.getElementById("all-departments");
  all.hidden = state.mode !== "focus";
  document.getElementById("all-departments-summary").textContent = t("allDepartments", state.total);
  if (all.open) renderGroups();
}

// Every department's name, read page by page only when the list is opened; shown grouped by
// initial, filtered as one types (accents and case ignored).
const folded = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

export async function loadAllNames() {
  if (state.allNames) return;
  const names = [];
  let after = null;
  for (;;) {
    const page = (await gql(`query ExplorerAllDepartments($after: String) {
      departmentsConnection(first: 1000, after: $after) { pageInfo { hasNextPage endCursor } nodes { key vi: name(lang: VI) en: name(lang: EN) } } }`,
      { after })).departmentsConnection;
    names.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  state.allNames = names;
}

export function renderGroups() {
  const box = document.getElementById("department-groups");
  if (!state.allNames) { box.textContent = "…"; return; }
  const wanted = folded(document.getElementById("department-filter").value.trim());
  const shown = state.allNames.filter((d) => !wanted || folded(`${d[state.lang]} ${d.key}`).includes(wanted));
  const groups = new Map();
  for (const d of [...shown].sort((a, b) => a[state.lang].localeCompare(b[state.lang], state.lang, { numeric: true }))) {
    const initial = folded(d[state.lang].replace(/^Phòng\s+/i, "")).charAt(0).toUpperCase();
    if (!groups.has(initial)) groups.set(initial, []);
    groups.get(initial).push(d);
  }
  box.innerHTML = shown.length ? [...groups].map(([initial, list]) => `<details class="group"${wanted ? " open" : ""}>
      <summary>${esc(initial)} (${list.length})</summary><ul>${list.map((d) =>
        `<li><button type="button" data-hash="#/department/${esc(d.key)}">${esc(d[state.lang])}</button></li>`).join("")}</ul></details>`).join("")
    : `<p>${esc(t("noMatch"))}</p>`;
}

// --- the panel ---------------------------------------------------------------------------
export const panelBody = () => document.getElementById("panel-body");
export const showError = (error) => {
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
};

function graphiqlLink(tab, variables) {
  const params = new URLSearchParams({ tab, variables: JSON.stringify({ ...variables, lang: state.lang.toUpperCase() }) });
  return `<p class="actions"><a class="graphiql-link" href="/graphql?${params}">${esc(t("openGraphiql"))}</a></p>`;
}

const purpose = (f) => (f.purpose ? ` <span class="purpose">— ${esc(t("soThat"))} ${esc(f.purpose)}</span>` : "");

// Where an item comes from, on demand: the sentence of the document it rests on (in the
// document's language), with the document and its section; or who added it through the API.
const CITE = "source { document { title(lang: $lang) language } section quote addedBy addedAt }";
const day = (at) => new Date(at).toLocaleDateString(state.lang === "vi" ? "vi-VN" : "en-GB", { dateStyle: "medium" });

function quote(item) {
  const c = item && item.source;
  if (!c) return "";
  let body;
  if (c.quote) {
    const where = [c.document ? c.document.title : "", c.section || t("openingParagraph")].filter(Boolean).join(" — ");
    body = `<blockquote lang="${esc(c.document ? c.document.language : "vi")}">${esc(c.quote)}</blockquote><p class="cite">${esc(where)}</p>`;
  } else if (c.addedBy) {
    body = `<p class="cite">${esc(t("addedBy", c.addedBy, day(c.addedAt)))}</p>`;
  } else {
    body = `<p class="cite">${esc(t("noSource"))}</p>`;
  }
  return ` <details class="source"><summary>${esc(t("source"))}</summary>${body}</details>`;
}

// Who answers for a relationship, when it was last verified, and whether it is overdue.
function review(r) {
  const owner = r.owner
    ? `${esc(t("owner"))}: <a href="#/department/${esc(r.owner.department.key)}">${esc(r.owner.department.name)}</a>${r.owner.contact ? ` (${esc(t("contact"))}: ${esc(r.owner.contact)})` : ""}.`
    : esc(t("noOwner"));
  const verified = r.verifiedAt ? esc(t("verified", day(r.verifiedAt), r.verifiedBy)) : esc(t("neverVerified"));
  const badge = state.stale.has(r.key) ? `<span class="badge stale">${esc(t("stale"))}</span> ` : "";
  return `<p class="review" data-stale="${state.stale.has(r.key)}">${badge}${owner} ${verified}</p>`;
}
const kind = (f) => `<span class="kind">${esc(f.kind === "NEED" ? t("need") : t("contribution"))}</span>`;

function grouped(flows, side) {
  const groups = new Map();
  for (const f of flows) {
    const key = f[side].key;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  return groups;
}

function steps(example) {
  return `<h4>${esc(t("example"))}: ${esc(example.title)}</h4><ol>${example.steps.map((s) => `<li>${esc(s.text)}${quote(s)}</li>`).join("")}</ol>`;
}

const duties = (role) => `<ul>${role.items.map((d) => `<li>${esc(d.text)}${quote(d)}</li>`).join("")}</ul>`;
const flowItem = (f) => `<li data-key="${esc(f.key)}">${esc(f.text)}${kind(f)}${purpose(f)}${quote(f)}</li>`;

function relationshipBlock(r, forKey) {
  const partner = r.departments.find((d) => d.key !== forKey) || r.departments[0];
  const roles = r.roles.map((role) => `<h4>${esc(t("role"))} ${esc(role.department.name)}</h4>${duties(role)}`).join("");
  return `<section class="relationship" data-key="${esc(r.key)}"><h3>${esc(t("worksWith"))} ${esc(partner.name)}</h3>
    ${review(r)}
    <p>${esc(r.summary)}${quote(r)}</p>
    <h4>${esc(t("goals"))}</h4><ul>${r.sharedGoals.map((g) => `<li>${esc(g.text)}${quote(g)}</li>`).join("")}</ul>
    ${roles}
    ${r.examples.map(steps).join("")}
    <p class="actions"><a href="#/relationship/${esc(r.departments[0].key)}/${esc(r.departments[1].key)}">${esc(r.title)}</a></p>
  </section>`;
}

const FLOW = `key kind text(lang: $lang) purpose(lang: $lang) provider { key name(lang: $lang) } receiver { key name(lang: $lang) } ${CITE}`;
const RELATIONSHIP = `key title(lang: $lang) summary(lang: $lang) departments { key name(lang: $lang) } ${CITE}
  owner { department { key name(lang: $lang) } contact } verifiedAt verifiedBy
  sharedGoals { text(lang: $lang) ${CITE} } roles { department { key name(lang: $lang) } items { text(lang: $lang) ${CITE} } }
  activities { text(lang: $lang) ${CITE} } examples { title(lang: $lang) steps { position text(lang: $lang) ${CITE} } }`;

export async function showDepartment(key) {
  const data = await gql(`query ExplorerDepartment($key: String!, $lang: Lang) {
    department(key: $key) { key name(lang: $lang) aliases(lang: $lang)
      needs { ${FLOW} } contributions { ${FLOW} } relationships { ${RELATIONSHIP} } } }`, { key, lang: state.lang.toUpperCase() });
  const d = data.department;
  if (!d) throw new Error(key);
  const gets = [...grouped(d.needs, "provider")].map(([k, flows]) =>
    `<h4>${esc(t("from"))} ${esc(flows[0].provider.name)}</h4><ul>${flows.map(flowItem).join("")}</ul>`).join("");
  const gives = [...grouped(d.contributions, "receiver")].map(([k, flows]) =>
    `<h4>${esc(t("to"))} ${esc(flows[0].receiver.name)}</h4><ul>${flows.map(flowItem).join("")}</ul>`).join("");
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(d.name)}</h2>
    ${d.aliases.length ? `<p>${esc(t("aliases"))}: ${esc(d.aliases.join(", "))}</p>` : ""}
    ${graphiqlLink("WhoSalesWorksWith", { department: d.key })}
    ${focusActions(d.key)}
    <section class="gets"><h3>${esc(t("gets"))}</h3>${gets}</section>
    <section class="gives"><h3>${esc(t("gives"))}</h3>${gives}</section>
    ${d.relationships.map((r) => relationshipBlock(r, d.key)).join("")}`;
  select(key);
}

function focusActions(key) {
  const actions = [`<a href="#/paths/${esc(key)}">${esc(t("pathFromHere"))}</a>`];
  if (state.mode === "focus" && current()) {
    const view = current();
    if (view.center !== key && !view.expanded.includes(key)) actions.unshift(`<button type="button" data-expand="${esc(key)}">${esc(t("expand"))}</button>`);
    if (view.center !== key) actions.push(`<button type="button" data-focus="${esc(key)}">${esc(t("centre"))}</button>`);
  }
  return `<p class="actions focus-actions">${actions.join("")}</p>`;
}

// --- paths: how something gets from one department to another -----------------------------
const PATHS = `query ExplorerPaths($from: String!, $to: String!, $about: String, $lang: Lang) {
  paths(from: $from, to: $to, about: $about, maxHops: 6, limit: 5) { hops departments { key name(lang: $lang) }
    flows { key kind text(lang: $lang) purpose(lang: $lang) provider { key } receiver { key } ${CITE} } } }`;

function pathsForm(from, to, about) {
  const field = (id, label, value) => `<label for="${id}">${esc(t(label))}</label><input id="${id}" type="text" value="${esc(value || "")}" maxlength="200">`;
  return `<form id="paths-form" class="paths-form" autocomplete="off">${field("path-from", "pathFrom", from)}${field("path-to", "pathTo", to)}
    ${field("path-about", "pathAbout", about)}<button type="submit">${esc(t("pathFind"))}</button></form>`;
}

const short = (text) => (text.length > 40 ? `${text.slice(0, 38)}…` : text);

export async function showPaths(from, to, about) {
  const heading = `<h2 id="panel-heading">${esc(t("pathsTitle"))}</h2>`;
  if (!from || !to) {
    panelBody().innerHTML = heading + pathsForm(from, to, about);
    return false;
  }
  let found;
  try {
    found = (await gql(PATHS, { from, to, about: about || null, lang: state.lang.toUpperCase() })).paths;
  } catch (error) {
    panelBody().innerHTML = heading + pathsForm(from, to, about) + `<p class="error">${esc(error.message)}</p>`;
    return false;
  }
  const nodes = new Map();
  const edges = new Map();
  for (const path of found) {
    for (const d of path.departments) { nodes.set(d.key, d); state.names[d.key] = { ...(state.names[d.key] || {}), [state.lang]: d.name }; }
    for (const f of path.flows) edges.set(`${f.provider.key}->${f.receiver.key}`, f);
  }
  state.pathFrom = found.length ? found[0].departments[0].key : null;
  state.pathElements = [
    ...[...nodes.values()].map((d) => ({ data: { id: d.key, label: d.name, kind: "department" } })),
    ...[...edges].map(([id, f]) => ({ data: { id, source: f.provider.key, target: f.receiver.key, label: short(f.text), kind: "path", count: 1 } })),
  ];
  const ends = found.length ? [found[0].departments[0].name, found[0].departments[found[0].departments.length - 1].name] : [from, to];
  const list = found.map((path, i) => `<section class="path"><h3>${esc(t("pathN", i + 1, path.hops))}</h3><ol>${path.flows.map((f, j) =>
    `<li data-key="${esc(f.key)}"><span class="who">${who(path.departments[j])} → ${who(path.departments[j + 1])}</span><br>${esc(f.text)}${kind(f)}${purpose(f)}${quote(f)}</li>`).join("")}</ol></section>`).join("");
  panelBody().innerHTML = heading + pathsForm(from, to, about)
    + `<p class="paths-summary">${esc(found.length ? t("pathsFound", found.length, ...ends) : t("noPaths", ...ends))}</p>${list}`;
  return true;
}

export async function showFlows(from, to) {
  const data = await gql(`query ExplorerFlows($of: String!, $from: String, $lang: Lang) {
    needs(of: $of, from: $from) { ${FLOW} statement(lang: $lang) } }`, { of: to, from, lang: state.lang.toUpperCase() });
  const flows = data.needs;
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("flowsFromTo", nameOf(from), nameOf(to)))}</h2>
    <p>${flows.length} ${esc(t("items"))}</p>
    ${graphiqlLink("WhatSalesNeedsFromAccounting", { of: to, from })}
    <ul class="flows">${flows.map(flowItem).join("")}</ul>`;
  select(`${from}->${to}`);
}

export async function showRelationship(a, b) {
  const data = await gql(`query ExplorerRelationship($a: String!, $b: String!, $lang: Lang) {
    relationship(between: $a, and: $b) { ${RELATIONSHIP} flows { ${FLOW} } } }`, { a, b, lang: state.lang.toUpperCase() });
  const r = data.relationship;
  if (!r) throw new Error(`${a} / ${b}`);
  const byDirection = [...grouped(r.flows, "provider")].map(([k, flows]) =>
    `<h4>${esc(t("flowsFromTo", flows[0].provider.name, flows[0].receiver.name))}</h4><ul>${flows.map(flowItem).join("")}</ul>`).join("");
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(r.title)}</h2>
    ${graphiqlLink("HowSalesAndCustomerCareCooperate", { between: a, and: b })}
    ${review(r)}
    <p>${esc(r.summary)}${quote(r)}</p>
    <h3>${esc(t("goals"))}</h3><ul>${r.sharedGoals.map((g) => `<li>${esc(g.text)}${quote(g)}</li>`).join("")}</ul>
    ${r.roles.map((role) => `<h3>${esc(t("role"))} ${esc(role.department.name)}</h3>${duties(role)}`).join("")}
    <h3>${esc(t("cooperation"))}</h3><ul>${r.activities.map((x) => `<li>${esc(x.text)}${quote(x)}</li>`).join("")}</ul>
    <h3>${esc(t("betweenFlows"))}</h3>${byDirection}
    ${r.examples.map(steps).join("")}`;
  select(null, [a, b].map((k) => k));
}

// --- ask: a question in plain words, answered with what was understood and why -------------
const ASK = `query ExplorerAsk($question: String!, $lang: Lang) {
  ask(question: $question, lang: $lang) {
    understood intent text query
    departments { key name(lang: $lang) } topics { key name(lang: $lang) }
    flows { key text(lang: $lang) purpose(lang: $lang) kind provider { key name(lang: $lang) } receiver { key name(lang: $lang) } ${CITE} }
    recipients { role how(lang: $lang) department { key name(lang: $lang) } }
    goals { key text(lang: $lang) ${CITE} } roles { key department { key name(lang: $lang) } items { text(lang: $lang) ${CITE} } }
    activities { key text(lang: $lang) ${CITE} } steps { key text(lang: $lang) ${CITE} }
    principles { key title(lang: $lang) text(lang: $lang) ${CITE} }
    hits { key kind text(lang: $lang) context(lang: $lang) departments { key name(lang: $lang) } ${CITE} }
  } }`;

const who = (d) => `<a href="#/department/${esc(d.key)}">${esc(d.name)}</a>`;

function answerItems(a) {
  const roleText = { HANDLES: t("handles"), INFORMED: t("informed"), COOPERATES: t("cooperates") };
  const items = [
    ...a.flows.map((f) => `<li data-key="${esc(f.key)}">${esc(f.text)}${kind(f)}${purpose(f)} <span class="who">${who(f.provider)} → ${who(f.receiver)}</span>${quote(f)}</li>`),
    ...a.recipients.map((r) => `<li>${who(r.department)} — ${esc(roleText[r.role] || r.role)}: ${esc(r.how)}</li>`),
    ...a.goals.map((g) => `<li>${esc(g.text)}${quote(g)}</li>`),
    ...a.roles.map((r) => `<li>${who(r.department)}${duties(r)}</li>`),
    ...a.activities.map((x) => `<li>${esc(x.text)}${quote(x)}</li>`),
    ...a.steps.map((x) => `<li>${esc(x.text)}${quote(x)}</li>`),
    ...a.principles.map((p) => `<li><strong>${esc(p.title)}</strong>: ${esc(p.text)}${quote(p)}</li>`),
    ...a.hits.map((h) => `<li>${esc(h.text)}<span class="kind">${esc(t("kinds")[h.kind] || h.kind)}</span>${h.context ? ` — ${esc(h.context)}` : ""}
      ${h.departments.length ? `<span class="who">${h.departments.map(who).join(", ")}</span>` : ""}${h.source && h.source.quote ? quote(h) : ""}</li>`),
  ];
  return items.length ? `<h3>${esc(t("answerItems"))}</h3><ul class="answer-items">${items.join("")}</ul>` : "";
}

export async function showAnswer(question) {
  const data = await gql(ASK, { question, lang: state.lang.toUpperCase() });
  const a = data.ask;
  const named = [...a.departments.map(who), ...a.topics.map((x) => esc(x.name))];
  const understood = a.understood
    ? `<dl class="understood"><dt>${esc(t("understood"))}</dt><dd>${esc(t("intentLabel"))}: ${esc(t("intents")[a.intent] || a.intent)}</dd>
        ${named.length ? `<dd>${esc(t("askedAbout"))}: ${named.join(", ")}</dd>` : ""}</dl>`
    : `<p class="not-understood"><strong>${esc(t("notUnderstood"))}</strong></p>`;
  const link = a.query
    ? `<p class="actions"><a class="graphiql-link" href="/graphql?${new URLSearchParams({ open: a.query })}">${esc(t("openQuery"))}</a></p>`
    : "";
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(question)}</h2>
    <p class="answer">${esc(a.text)}</p>${understood}${link}${answerItems(a)}`;
  const keys = new Set([...a.departments.map((d) => d.key), ...a.flows.flatMap((f) => [f.provider.key, f.receiver.key]),
    ...a.recipients.map((r) => r.department.key), ...a.roles.map((r) => r.department.key)]);
  state.cy.nodes().removeClass("highlight");
  for (const k of keys) state.cy.getElementById(k).addClass("highlight");
  select(null, [...keys]);
}

export function showParty(key) {
  const n = state.nodes[key];
  const partners = state.edges.filter((e) => e.kind === "party" && e.from === key).map((e) => e.to);
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(n[state.lang])}</h2><p>${esc(t("party"))}</p>
    <h3>${esc(t("dealsWith"))}</h3><ul>${partners.map((k) => `<li><a href="#/department/${esc(k)}">${esc(nameOf(k))}</a></li>`).join("")}</ul>`;
  select(key);
}

export function showWelcome() {
  const picker = state.mode === "focus" && current()
    ? `<p class="focus-intro">${esc(t("focusIntro", state.total, nameOf(current().center)))}</p>
      <form id="picker" role="search" autocomplete="off"><label for="picker-text">${esc(t("pickLabel"))}</label>
      <input id="picker-text" type="search" maxlength="200" placeholder="${esc(t("pickPlaceholder"))}">
      <button type="submit">${esc(t("pickButton"))}</button></form><ul id="picker-results"></ul>`
    : "";
  panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("welcomeHeading"))}</h2>${picker}<p>${esc(t("welcome"))}</p>`;
  if (state.cy) state.cy.elements().unselect();
}

export async function pick(text, go) {
  const data = await gql(`query ExplorerPick($text: String!, $lang: Lang) {
    search(text: $text, limit: 20) { kind key text(lang: $lang) } }`, { text, lang: state.lang.toUpperCase() });
  const hits = data.search.filter((h) => h.kind === "Department");
  if (go && hits.length) { location.hash = `#/department/${hits[0].key}`; return; }
  const box = document.getElementById("picker-results");
  if (box) box.innerHTML = hits.length
    ? hits.map((h) => `<li><button type="button" data-hash="#/department/${esc(h.key)}">${esc(h.text)}</button></li>`).join("")
    : `<li>${esc(t("noMatch"))}</li>`;
}

export function select(id, many) {
  const cy = state.cy;
  cy.elements().unselect();
  const targets = id ? cy.getElementById(id) : cy.collection(many.map((k) => cy.getElementById(k)));
  targets.select();
  if (state.focusNext && targets.nonempty()) {
    // After a search: bring the match and its neighbours into view.
    cy.animate({ fit: { eles: targets.closedNeighborhood(), padding: 40 }, duration: 300 });
  }
  state.focusNext = false;
}
