// Search: the words typed in the search box, the hits listed and highlighted in the drawing, and
// the first department they concern shown.
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { esc } from "./panels.js";
import { route } from "./router.js";
import { state } from "./state.js";

export async function search(text) {
  const box = document.getElementById("results");
  const data = await gql(`query ExplorerSearch($text: String!, $lang: Lang) {
    search(text: $text, limit: 8) { kind key text(lang: $lang) context(lang: $lang) departments { key } } }`,
    { text, lang: state.lang.toUpperCase() });
  const hits = data.search;
  state.cy.nodes().removeClass("highlight");
  if (!hits.length) {
    box.innerHTML = `<p>${esc(t("noResults", text))}</p>`;
    box.hidden = false;
    return;
  }
  const keys = [...new Set(hits.flatMap((h) => h.departments.map((d) => d.key)))];
  for (const k of keys) state.cy.getElementById(k).addClass("highlight");
  box.innerHTML = `<p>${esc(t("results", hits.length, text))}</p><ol>${hits.map((h) => {
    const target = h.kind === "Department" ? h.key : (h.departments[0] || {}).key;
    return `<li><button type="button" data-hash="${target ? `#/department/${esc(target)}` : ""}">${esc(h.text)}</button>
      <span class="kind">${esc(t("kinds")[h.kind] || h.kind)}</span>${h.context ? ` — ${esc(h.context)}` : ""}</li>`;
  }).join("")}</ol>`;
  box.hidden = false;
  const first = hits.find((h) => h.departments.length);
  if (first) {
    const focus = first.departments[0].key;
    state.focusNext = true;
    if (location.hash === `#/department/${focus}`) await route();
    else location.hash = `#/department/${focus}`;
  }
}
