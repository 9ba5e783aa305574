// The generic form: one form for any kind, built from its input type (inputs.js) — texts in both
// languages side by side, lists of items to add and remove, keys as they are typed — that reads
// back its value in the input's shape, with its controls by path for the API's errors.
import { tr } from "./editor-i18n.js";
import { ENUMS, INPUTS } from "./inputs.js";

const LONG = new Set(["text", "summary", "purpose", "statement", "action"]); // texts, not names

// --- small DOM helpers (no inline styles or scripts: the page runs under a strict CSP) -------
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value == null) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null) node.append(child);
  return node;
}
let seq = 0;
export const uid = (stem) => `ed-${stem}-${++seq}`;
export const button = (label, onclick, attrs) => el("button", { type: "button", onclick, ...(attrs || {}) }, label);

// --- the generic form -------------------------------------------------------------------------
// A field of type `type` (a GraphQL type string) at `path` ("input.text.en"): its element, a
// read() that gives its value in the input's shape, and the controls by path (for errors).
export function emptyOf(type) {
  const required = type.endsWith("!");
  const base = type.replace(/!$/, "");
  if (base.startsWith("[")) return [];
  if (!required) return null;
  if (ENUMS[base]) return ENUMS[base][0];
  if (INPUTS[base]) return Object.fromEntries(Object.entries(INPUTS[base]).map(([n, t]) => [n, emptyOf(t)]));
  return "";
}

function field(name, type, value, path, prefix, controls, options) {
  const required = type.endsWith("!");
  const base = type.replace(/!$/, "");
  const label = `${prefix}${tr("fields")[name] || name}`;
  const control = (tag, id, attrs) => {
    const node = el(tag, { id, "data-path": attrs.path, ...attrs.extra });
    controls[attrs.path] = node;
    return node;
  };
  if (base === "TextInput" || base === "AliasesInput") {
    const lists = base === "AliasesInput";
    const pair = el("div", { class: "pair" });
    const inputs = {};
    for (const lang of ["vi", "en"]) {
      const id = uid(name);
      const current = value && value[lang] != null ? value[lang] : lists ? [] : "";
      const tag = lists || LONG.has(name) ? "textarea" : "input";
      const input = control(tag, id, { path: `${path}.${lang}`, extra: tag === "textarea" ? { lang, rows: 3 } : { lang, type: "text" } });
      input.value = lists ? current.join("\n") : current;
      inputs[lang] = input;
      const hint = lists ? ` — ${tr("linesHint")}` : "";
      pair.append(el("div", { class: "lang-field" }, el("label", { for: id, text: `${label} (${tr(lang)})${hint}` }), input));
    }
    const read = () => {
      if (lists) return Object.fromEntries(["vi", "en"].map((l) => [l, inputs[l].value.split("\n").map((s) => s.trim()).filter(Boolean)]));
      const text = { vi: inputs.vi.value.trim(), en: inputs.en.value.trim() };
      return !required && !text.vi && !text.en ? null : text;
    };
    return { node: pair, read };
  }
  if (base.startsWith("[") && INPUTS[base.slice(1, -1).replace(/!$/, "")]) {
    return list(name, base.slice(1, -1).replace(/!$/, ""), value || [], path, prefix, controls);
  }
  if (INPUTS[base]) { // one object inside (a relationship's owner): left empty, an optional one is null
    const inner = object(base, value || emptyOf(`${base}!`), path, `${label}: `, controls, {});
    const read = () => {
      const got = inner.read();
      const empty = Object.values(got).every((v) => v == null || v === "" || (Array.isArray(v) && !v.length));
      return !required && empty ? null : got;
    };
    return { node: el("fieldset", { class: "object" }, el("legend", { text: label }), ...inner.nodes), read };
  }
  const id = uid(name);
  let input;
  if (ENUMS[base]) {
    input = control("select", id, { path });
    for (const option of ENUMS[base]) input.append(el("option", { value: option, text: option }));
    input.value = value || ENUMS[base][0];
  } else {
    input = control("input", id, { path, extra: { type: "text", autocomplete: "off", readonly: options.keyFixed && name === "key" && path.split(".").length === 2 } });
    input.value = base.startsWith("[") ? (value || []).join(", ") : value || "";
  }
  const hint = base.startsWith("[") ? ` (${tr("keysHint")})` : "";
  const read = () => {
    if (base.startsWith("[")) return input.value.split(",").map((s) => s.trim()).filter(Boolean);
    const text = input.value.trim();
    return !required && !text ? null : text;
  };
  return { node: el("div", { class: "field" }, el("label", { for: id, text: label + hint }), input), read };
}

export function object(type, value, path, prefix, controls, options) {
  const parts = Object.entries(INPUTS[type]).map(([name, fieldType]) =>
    [name, field(name, fieldType, value ? value[name] : emptyOf(fieldType), `${path}.${name}`, prefix, controls, options)]);
  return {
    nodes: parts.map(([, part]) => part.node),
    read: () => Object.fromEntries(parts.map(([name, part]) => [name, part.read()])),
  };
}

function list(name, type, values, path, prefix, controls) {
  const box = el("fieldset", { class: "list" }, el("legend", { text: `${prefix}${tr("fields")[name] || name}` }));
  const itemName = tr("items")[name] || name;
  let items = [];
  const render = (current) => {
    for (const key of Object.keys(controls)) if (key.startsWith(`${path}[`)) delete controls[key];
    box.querySelectorAll(":scope > .item, :scope > .add").forEach((node) => node.remove());
    items = current.map((value, i) => {
      const inner = `${prefix}${itemName} ${i + 1}: `;
      const part = object(type, value, `${path}[${i}]`, inner, controls, {});
      const removeButton = button(`${tr("remove")} ${itemName.toLowerCase()} ${i + 1}`, () => render(items.filter((_, j) => j !== i).map((it) => it.read())));
      box.append(el("fieldset", { class: "item" }, el("legend", { text: `${itemName} ${i + 1}` }), ...part.nodes, removeButton));
      return part;
    });
    box.append(el("p", { class: "add" }, button(`${tr("add")} ${itemName.toLowerCase()}`, () => render([...items.map((it) => it.read()), emptyOf(`${type}!`)]))));
  };
  render(values);
  return { node: box, read: () => items.map((it) => it.read()) };
}
