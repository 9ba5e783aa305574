// deptgraph explorer: draws the departments and the customer party with Cytoscape.js and
// explains them in a side panel. Reads only the public GraphQL API at /graphql.
(function () {
  "use strict";

  const TEXT = {
    vi: {
      title: "Các phòng ban phối hợp thế nào", skip: "Bỏ qua đến nội dung", searchLabel: "Tìm kiếm",
      searchPlaceholder: "ví dụ: khiếu nại, ke toan, brochure", searchButton: "Tìm", graphiql: "GraphiQL",
      graphHeading: "Sơ đồ", graphAria: "Sơ đồ các phòng ban, khách hàng và những gì được chuyển giữa họ",
      legend: "Mũi tên chỉ chiều thông tin và công việc được chuyển; số trên mũi tên là số mục. Đường nét đứt: khách hàng làm việc với phòng ban đó.",
      welcomeHeading: "Chào mừng",
      welcome: "Chọn một phòng ban hoặc một mũi tên trên sơ đồ (hoặc trong danh sách bên dưới) để xem phòng ban đó cần gì, đóng góp gì và phối hợp với ai.",
      browse: "Danh sách", departments: "Phòng ban", connections: "Chiều trao đổi",
      aliases: "Còn gọi là", gets: "Nhận / cần", from: "từ", gives: "Đóng góp / cung cấp", to: "cho",
      worksWith: "Làm việc với", goals: "Mục tiêu chung", role: "Vai trò của", cooperation: "Phối hợp",
      example: "Ví dụ", soThat: "để", items: "mục", flowsFromTo: (a, b) => `Từ ${a} đến ${b}`,
      need: "nhu cầu", contribution: "đóng góp", openGraphiql: "Mở câu hỏi này trong GraphiQL",
      results: (n, text) => `${n} kết quả cho “${text}”`, noResults: (text) => `Không tìm thấy “${text}”.`,
      party: "Bên ngoài công ty", dealsWith: "Làm việc với", betweenFlows: "Những gì được chuyển",
      error: "Không tải được dữ liệu", close: "Đóng", noRole: "—",
      askLabel: "Hỏi", askPlaceholder: "ví dụ: Ai nhận khiếu nại của khách hàng?", askButton: "Hỏi",
      understood: "Đã hiểu", notUnderstood: "Chưa hiểu câu hỏi", askedAbout: "Hỏi về", intentLabel: "Loại câu hỏi",
      openQuery: "Mở truy vấn tương ứng trong GraphiQL", answerItems: "Căn cứ trong tài liệu", handles: "xử lý",
      informed: "được thông tin", cooperates: "cùng phối hợp",
      intents: { NEEDS: "cần gì / nhận gì", CONTRIBUTIONS: "đóng góp gì", RECIPIENTS: "ai nhận / ai xử lý",
        PROVIDERS: "ai cung cấp", PURPOSE: "để làm gì", SHARED_GOALS: "mục tiêu chung", ROLE: "vai trò",
        COOPERATION: "phối hợp thế nào", EXAMPLE: "ví dụ", PRINCIPLES: "nguyên tắc phối hợp", SEARCH: "tìm trong tài liệu" },
      kinds: { Department: "Phòng ban", Topic: "Chủ đề", Flow: "Luồng", Scenario: "Ví dụ", Step: "Bước",
        Relationship: "Quan hệ", Goal: "Mục tiêu", Duty: "Nhiệm vụ", Activity: "Hoạt động", Principle: "Nguyên tắc",
        Statement: "Nhận định", Party: "Bên ngoài" },
      focusIntro: (n, name) => `Công ty có ${n} phòng ban — quá nhiều để vẽ cùng lúc. Sơ đồ bắt đầu từ ${name} và những phòng làm việc với phòng đó. Hãy chọn phòng của bạn:`,
      pickLabel: "Phòng của bạn", pickPlaceholder: "ví dụ: Kế toán, Pháp chế 12", pickButton: "Chọn",
      expand: "Mở rộng: xem các phòng làm việc với phòng này", centre: "Đặt phòng này vào giữa", back: "← Quay lại",
      focusLegend: "Sơ đồ vẽ một phòng (viền đậm) và các phòng làm việc với nó; nhấp đúp một phòng để mở rộng. Mũi tên chỉ chiều thông tin và công việc được chuyển; số trên mũi tên là số mục.",
      pathsLink: "Đường đi", pathsTitle: "Từ phòng này đến phòng kia qua những ai?", pathFrom: "Từ", pathTo: "Đến",
      pathAbout: "Về (không bắt buộc)", pathFind: "Tìm đường", pathFromHere: "Tìm đường đi từ phòng này",
      pathsFound: (n, a, b) => `${n} đường từ ${a} đến ${b}, ngắn nhất trước`,
      noPaths: (a, b) => `Không có chuỗi trao đổi nào từ ${a} đến ${b} trong vòng 6 bước.`,
      pathN: (i, hops) => `Đường ${i}: ${hops} bước`,
      allDepartments: (n) => `Tất cả phòng ban (${n})`, filterLabel: "Lọc theo tên", noMatch: "Không có phòng nào khớp.",
      source: "Nguồn", openingParagraph: "đoạn mở đầu", addedBy: (who, when) => `Thêm qua API: ${who}, ${when}.`,
      noSource: "Không rõ nguồn.", owner: "Phụ trách", contact: "liên hệ", noOwner: "Chưa có ai phụ trách.",
      verified: (when, who) => `Xác nhận lần cuối: ${when}, bởi ${who}.`, neverVerified: "Chưa ai xác nhận kể từ khi có tài liệu.",
      stale: "Cần xem lại", staleLegend: "Đường chấm màu cam: quan hệ đã quá hạn xem lại.",
    },
    en: {
      title: "How the departments work together", skip: "Skip to content", searchLabel: "Search",
      searchPlaceholder: "e.g. complaints, ke toan, brochure", searchButton: "Search", graphiql: "GraphiQL",
      graphHeading: "Diagram", graphAria: "Diagram of the departments, the customers and what passes between them",
      legend: "Arrows show which way information and work pass; the number on an arrow is how many items. Dashed line: customers deal with that department.",
      welcomeHeading: "Welcome",
      welcome: "Pick a department or an arrow in the diagram (or in the lists below) to see what it needs, what it contributes and whom it works with.",
      browse: "Browse", departments: "Departments", connections: "What passes where",
      aliases: "Also called", gets: "Gets / needs", from: "from", gives: "Contributes / provides", to: "to",
      worksWith: "Works with", goals: "Shared goals", role: "Role of", cooperation: "Cooperation",
      example: "Example", soThat: "so that", items: "items", flowsFromTo: (a, b) => `From ${a} to ${b}`,
      need: "need", contribution: "contribution", openGraphiql: "Open this question in GraphiQL",
      results: (n, text) => `${n} results for “${text}”`, noResults: (text) => `Nothing found for “${text}”.`,
      party: "Outside the company", dealsWith: "Deals with", betweenFlows: "What passes between them",
      error: "Could not load the data", close: "Close", noRole: "—",
      askLabel: "Ask", askPlaceholder: "e.g. Who gets customer complaints?", askButton: "Ask",
      understood: "Understood", notUnderstood: "Not understood", askedAbout: "Asked about", intentLabel: "Question",
      openQuery: "Open the matching query in GraphiQL", answerItems: "What the document says", handles: "handles it",
      informed: "is informed", cooperates: "works on it together",
      intents: { NEEDS: "what it needs / gets", CONTRIBUTIONS: "what it contributes", RECIPIENTS: "who gets / handles it",
        PROVIDERS: "who provides it", PURPOSE: "what for", SHARED_GOALS: "shared goals", ROLE: "role",
        COOPERATION: "how they cooperate", EXAMPLE: "an example", PRINCIPLES: "principles of cooperation", SEARCH: "search the document" },
      kinds: { Department: "Department", Topic: "Topic", Flow: "Flow", Scenario: "Example", Step: "Step",
        Relationship: "Relationship", Goal: "Goal", Duty: "Duty", Activity: "Activity", Principle: "Principle",
        Statement: "Statement", Party: "Outside party" },
      focusIntro: (n, name) => `This company has ${n} departments — too many to draw at once. The drawing starts from ${name} and the departments it works with. Pick yours:`,
      pickLabel: "Your department", pickPlaceholder: "e.g. Accounting, Legal 12", pickButton: "Go",
      expand: "Expand: show whom it works with", centre: "Put it in the centre", back: "← Back",
      focusLegend: "The drawing shows one department (bold border) and the departments it works with; double-click one to expand it. Arrows show which way information and work pass; the number on an arrow is how many items.",
      pathsLink: "Paths", pathsTitle: "From one department to another: through whom?", pathFrom: "From", pathTo: "To",
      pathAbout: "About (optional)", pathFind: "Find paths", pathFromHere: "Find paths from here",
      pathsFound: (n, a, b) => `${n} paths from ${a} to ${b}, shortest first`,
      noPaths: (a, b) => `No chain of flows leads from ${a} to ${b} within 6 steps.`,
      pathN: (i, hops) => `Path ${i}: ${hops} steps`,
      allDepartments: (n) => `All departments (${n})`, filterLabel: "Filter by name", noMatch: "No department matches.",
      source: "Source", openingParagraph: "opening paragraph", addedBy: (who, when) => `Added through the API: ${who}, ${when}.`,
      noSource: "No known source.", owner: "Owner", contact: "contact", noOwner: "Nobody owns it yet.",
      verified: (when, who) => `Last verified ${when} by ${who}.`, neverVerified: "Nobody has verified it since the document.",
      stale: "Review overdue", staleLegend: "Dotted orange line: a relationship overdue for review.",
    },
  };

  const state = {
    lang: localStorage.getItem("deptgraph.lang") || ((navigator.language || "").toLowerCase().startsWith("en") ? "en" : "vi"),
    nodes: {},   // key → {key, vi, en, aliasesVi, aliasesEn, kind}
    edges: [],   // {id, from, to, count, kind}
    cy: null,
    // Above THRESHOLD departments the explorer draws one department at a time ("focus"): a trail of
    // views, each a centre and the departments expanded around it, read per department (hoods).
    mode: "whole", total: 0, start: null, hoods: {}, names: {}, trail: [], parties: [],
    view: "graph", pathElements: [], pathFrom: null, allNames: null,
    stale: new Map(), // relationship key → its two department keys, for what is overdue for review
  };
  const THRESHOLD = 30;
  const t = (name, ...args) => {
    const value = TEXT[state.lang][name];
    return typeof value === "function" ? value(...args) : value;
  };
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const nameOf = (key) => (state.nodes[key] ? state.nodes[key][state.lang] : state.names[key] ? state.names[key][state.lang] : key);
  const current = () => state.trail[state.trail.length - 1];

  // Read your writes: after an edit, requests carry its bookmark, so that answers come from a state
  // that includes it, on any replica. A bookmark the server refuses (or cannot reach) is dropped
  // and the request sent again without it.
  async function withBookmark(headers, send) {
    const bookmark = sessionStorage.getItem("deptgraph.bookmark");
    if (bookmark) headers["deptgraph-bookmark"] = bookmark;
    let response = await send();
    if (bookmark && (await refusesBookmark(response))) {
      sessionStorage.removeItem("deptgraph.bookmark");
      delete headers["deptgraph-bookmark"];
      response = await send();
    }
    const given = response.headers.get("deptgraph-bookmark");
    if (given) sessionStorage.setItem("deptgraph.bookmark", given);
    return response;
  }
  async function refusesBookmark(response) {
    if (response.status !== 400 && response.status !== 503) return false;
    try {
      const body = await response.clone().json();
      return (body.errors || []).some((e) => e.extensions && e.extensions.header === "Deptgraph-Bookmark");
    } catch (_) {
      return false;
    }
  }
  window.deptgraphWithBookmark = withBookmark; // the editor's requests carry it the same way

  async function gql(query, variables, extraHeaders) {
    const headers = { "content-type": "application/json", accept: "application/json", ...(extraHeaders || {}) };
    const response = await withBookmark(headers, () =>
      fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables: variables || {} }) }));
    const body = await response.json();
    if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
    return body.data;
  }

  // --- the diagram ------------------------------------------------------------------------
  const GRAPH = `query ExplorerGraph {
    departments { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
      relationships { key departments { key } flows { provider { key } receiver { key } } } }
    parties { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
      departments { key } }
  }`;

  async function loadGraph() {
    const data = await gql(GRAPH);
    state.nodes = {};
    state.edges = [];
    const counts = {};
    const seen = new Set();
    for (const d of data.departments) {
      state.nodes[d.key] = { ...d, kind: "department" };
      for (const r of d.relationships) {
        if (seen.has(r.key)) continue;
        seen.add(r.key);
        for (const f of r.flows) {
          const id = `${f.provider.key}->${f.receiver.key}`;
          counts[id] = (counts[id] || 0) + 1;
        }
      }
    }
    for (const [id, count] of Object.entries(counts)) {
      const [from, to] = id.split("->");
      state.edges.push({ id, from, to, count, kind: "flows" });
    }
    for (const p of data.parties) {
      state.nodes[p.key] = { ...p, kind: "party" };
      for (const d of p.departments) state.edges.push({ id: `${p.key}--${d.key}`, from: p.key, to: d.key, count: 0, kind: "party" });
    }
  }

  // What is overdue for review (never verified, or verified longer ago than the interval): the
  // relationships `stale` lists, marked in the drawing and in the panels. It depends on the time,
  // so it is read at start and after every change, never from a cache.
  const STALE = `query ExplorerStale { stale(limit: 1000) { key departments { key } } }`;

  async function loadStale() {
    const data = await gql(STALE);
    state.stale = new Map(data.stale.map((r) => [r.key, r.departments.map((d) => d.key)]));
  }

  const staleBetween = (a, b) => [...state.stale.values()].some(([x, y]) => (x === a && y === b) || (x === b && y === a));

  // --- a large organisation: one department and its partners at a time ---------------------
  const SIZE = `query ExplorerSize { departmentsConnection(first: 1) { totalCount nodes { key } }
    parties { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
      departments { key } } }`;
  const HOOD = `query ExplorerFocus($key: String!) {
    department(key: $key) { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
      needs { provider { key vi: name(lang: VI) en: name(lang: EN) } }
      contributions { receiver { key vi: name(lang: VI) en: name(lang: EN) } } } }`;

  async function neighbourhood(key) {
    if (state.hoods[key]) return state.hoods[key];
    const d = (await gql(HOOD, { key })).department;
    if (!d) throw new Error(key);
    const hood = { key: d.key, node: { ...d, kind: "department" }, partners: {}, out: {}, in: {} };
    for (const f of d.needs) {
      hood.partners[f.provider.key] = f.provider;
      hood.in[f.provider.key] = (hood.in[f.provider.key] || 0) + 1;
    }
    for (const f of d.contributions) {
      hood.partners[f.receiver.key] = f.receiver;
      hood.out[f.receiver.key] = (hood.out[f.receiver.key] || 0) + 1;
    }
    for (const n of [d, ...Object.values(hood.partners)]) state.names[n.key] = { vi: n.vi, en: n.en };
    state.hoods[key] = state.hoods[d.key] = hood;
    return hood;
  }

  // The drawing of the current view: its centre and expanded departments with all their partners.
  function focusGraph() {
    const view = current();
    state.nodes = {};
    state.edges = [];
    if (!view) return;
    const ids = new Set();
    const edge = (from, to, count) => {
      const id = `${from}->${to}`;
      if (!ids.has(id)) { ids.add(id); state.edges.push({ id, from, to, count, kind: "flows" }); }
    };
    for (const key of [view.center, ...view.expanded]) {
      const hood = state.hoods[key];
      for (const [k, n] of Object.entries(hood.partners)) {
        if (!state.nodes[k]) state.nodes[k] = { key: k, vi: n.vi, en: n.en, aliasesVi: [], aliasesEn: [], kind: "department" };
      }
    }
    for (const key of [view.center, ...view.expanded]) {
      const hood = state.hoods[key];
      state.nodes[key] = hood.node;
      for (const [k, count] of Object.entries(hood.out)) edge(key, k, count);
      for (const [k, count] of Object.entries(hood.in)) edge(k, key, count);
    }
    for (const p of state.parties) {
      const linked = p.departments.filter((d) => state.nodes[d.key]);
      if (!linked.length) continue;
      state.nodes[p.key] = { ...p, kind: "party" };
      for (const d of linked) state.edges.push({ id: `${p.key}--${d.key}`, from: p.key, to: d.key, count: 0, kind: "party" });
    }
  }

  async function focusOn(key) {
    const hood = await neighbourhood(key);
    state.trail.push({ center: hood.key, expanded: [] });
    redraw();
  }

  async function expand(key) {
    const hood = await neighbourhood(key);
    const view = current();
    if (view.center === hood.key || view.expanded.includes(hood.key)) return;
    state.trail.push({ center: view.center, expanded: [...view.expanded, hood.key] });
    redraw();
  }

  async function back() {
    if (state.trail.length < 2) return;
    state.trail.pop();
    const view = current();
    await Promise.all([view.center, ...view.expanded].map(neighbourhood)); // dropped by a refresh
    redraw();
  }

  // In focus mode a view that names departments not drawn starts from the first of them.
  async function ensureDrawn(keys) {
    if (!state.trail.length) await focusOn(keys[0] || state.start);
    else if (keys.length && keys.some((k) => !state.nodes[k] || state.nodes[k].kind !== "department")) await focusOn(keys[0]);
  }

  function redraw() {
    if (!state.cy) return;
    if (state.mode === "focus") focusGraph();
    document.getElementById("tooltip").hidden = true; // it named something that may be gone
    state.cy.elements().remove();
    state.cy.add(elements());
    state.cy.layout(layoutOptions()).run();
    renderLists();
    const backButton = document.getElementById("back");
    backButton.hidden = !(state.mode === "focus" && state.view === "graph" && state.trail.length > 1);
  }

  // A radial tree around the centre: its partners on a ring, and the partners an expansion adds
  // on the next ring, in the wedge of the department they were expanded from (few crossings).
  function radial(center) {
    const neighbours = {};
    for (const e of state.edges) {
      (neighbours[e.from] = neighbours[e.from] || []).push(e.to);
      (neighbours[e.to] = neighbours[e.to] || []).push(e.from);
    }
    const children = {};
    const depth = { [center]: 0 };
    const queue = [center];
    while (queue.length) {
      const at = queue.shift();
      children[at] = [...new Set(neighbours[at] || [])].filter((k) => depth[k] === undefined).sort();
      for (const k of children[at]) { depth[k] = depth[at] + 1; queue.push(k); }
    }
    const place = { [center]: { angle: -Math.PI / 2, wedge: 2 * Math.PI } };
    const positions = { [center]: { x: 0, y: 0 } };
    const ring = (d, count, wedge) => Math.max(230 * d, (count * 160) / Math.max(wedge, 0.3));
    for (const at of Object.keys(depth).sort((a, b) => depth[a] - depth[b])) {
      const kids = children[at] || [];
      // Beyond the first ring a department's partners may spread past its own wedge (up to twice it).
      const angle = place[at].angle;
      const wedge = depth[at] === 0 ? place[at].wedge : Math.min(2 * place[at].wedge, Math.PI * 0.9);
      const share = wedge / Math.max(kids.length, 1);
      const radius = ring(depth[at] + 1, kids.length, wedge);
      kids.forEach((k, i) => {
        const a = depth[at] === 0 ? angle + i * share : angle - wedge / 2 + (i + 0.5) * share;
        place[k] = { angle: a, wedge: share };
        positions[k] = { x: radius * Math.cos(a), y: radius * Math.sin(a) };
      });
    }
    return (node) => positions[node.id()] || { x: 0, y: 0 };
  }

  function layoutOptions() {
    if (state.view === "paths") {
      return { name: "breadthfirst", directed: true, roots: state.pathFrom ? [state.pathFrom] : undefined, fit: true,
        padding: 30, spacingFactor: 1.05, animate: false };
    }
    if (state.mode === "focus" && current()) {
      return { name: "preset", positions: radial(current().center), fit: true, padding: 30, animate: false };
    }
    const degree = {};
    for (const e of state.edges) if (e.kind === "flows") { degree[e.from] = (degree[e.from] || 0) + 1; degree[e.to] = (degree[e.to] || 0) + 1; }
    return {
      name: "concentric", fit: true, padding: 30, minNodeSpacing: 50, animate: false,
      concentric: (n) => (n.data("kind") === "party" ? 0 : (degree[n.id()] || 0)),
      levelWidth: () => 3,
    };
  }

  function elements() {
    if (state.view === "paths") return state.pathElements;
    const center = state.mode === "focus" && current() ? current().center : null;
    const nodes = Object.values(state.nodes).map((n) => ({ data: { id: n.key, label: n[state.lang], kind: n.kind },
      classes: n.key === center ? "center" : "" }));
    const edges = state.edges.map((e) => ({
      data: { id: e.id, source: e.from, target: e.to, count: e.count, label: e.kind === "flows" ? String(e.count) : "", kind: e.kind,
        stale: e.kind === "flows" && staleBetween(e.from, e.to) ? "yes" : "no" },
    }));
    return [...nodes, ...edges];
  }

  function drawGraph() {
    state.cy = cytoscape({
      container: document.getElementById("cy"),
      elements: elements(),
      style: [
        { selector: "node", style: {
          label: "data(label)", "text-wrap": "wrap", "text-max-width": "120px", "font-size": "13px",
          "text-valign": "center", "text-halign": "center", width: "150px", height: "56px", shape: "round-rectangle",
          "background-color": "#e8eef8", "border-width": 2, "border-color": "#2b3a55", color: "#111" } },
        { selector: "node[kind = 'party']", style: { shape: "ellipse", "border-style": "dashed", "background-color": "#fdf6e3", width: "110px" } },
        { selector: "node.highlight", style: { "border-width": 6, "border-style": "double", "border-color": "#7a3e00" } },
        { selector: "node:selected", style: { "border-width": 6, "border-style": "solid", "border-color": "#000", "font-weight": "bold", "background-color": "#fff" } },
        { selector: "edge", style: {
          "curve-style": "bezier", "control-point-step-size": 48, width: "mapData(count, 1, 12, 2, 7)",
          "line-color": "#55606e", "target-arrow-shape": "triangle", "target-arrow-color": "#55606e", "arrow-scale": 1.3,
          label: "data(label)", "font-size": "13px", "font-weight": "bold", "text-background-color": "#fff",
          "text-background-opacity": 1, "text-background-padding": "2px", "text-border-width": 1, "text-border-opacity": 1,
          "text-border-color": "#55606e" } },
        { selector: "edge[kind = 'party']", style: { "line-style": "dashed", "target-arrow-shape": "none", width: 2 } },
        { selector: "edge[stale = 'yes']", style: { "line-style": "dotted", "line-color": "#b35c00", "target-arrow-color": "#b35c00" } },
        { selector: "edge:selected", style: { width: 9, "line-color": "#000", "target-arrow-color": "#000" } },
        { selector: "node.center", style: { "border-width": 5, "font-weight": "bold", "background-color": "#fff" } },
        { selector: "edge[kind = 'path']", style: { width: 3, "font-size": "11px", "font-weight": "normal", "text-wrap": "wrap",
          "text-max-width": "160px" } },
      ],
      layout: layoutOptions(),
    });
    const cy = state.cy;
    cy.on("tap", "node", (event) => {
      const node = event.target.data();
      location.hash = node.kind === "party" ? `#/party/${node.id}` : `#/department/${node.id}`;
    });
    cy.on("dbltap", "node[kind = 'department']", (event) => {
      if (state.mode === "focus" && state.view === "graph") expand(event.target.id()).catch(showError);
    });
    cy.on("tap", "edge[kind = 'flows'], edge[kind = 'path']", (event) => {
      const e = event.target.data();
      location.hash = `#/flows/${e.source}/${e.target}`;
    });
    const tip = document.getElementById("tooltip");
    cy.on("mouseover", "node, edge", (event) => {
      const d = event.target.data();
      if (event.target.isNode()) {
        const n = state.nodes[d.id] || { [state.lang]: d.label };
        const aliases = (state.lang === "vi" ? n.aliasesVi : n.aliasesEn) || [];
        tip.textContent = n[state.lang] + (aliases.length ? ` (${aliases.join(", ")})` : "");
      } else if (d.kind === "path") {
        tip.textContent = `${nameOf(d.source)} → ${nameOf(d.target)}: ${d.label}`;
      } else if (d.kind === "flows") {
        tip.textContent = `${nameOf(d.source)} → ${nameOf(d.target)}: ${d.count} ${t("items")}`;
      } else {
        tip.textContent = `${nameOf(d.source)} — ${nameOf(d.target)}`;
      }
      const p = event.renderedPosition || event.target.renderedMidpoint();
      tip.style.left = `${p.x + 12}px`;
      tip.style.top = `${p.y + 12}px`;
      tip.hidden = false;
    });
    cy.on("mouseout", "node, edge", () => { tip.hidden = true; });
  }

  function relabel() {
    if (!state.cy) return;
    state.cy.nodes().forEach((n) => n.data("label", nameOf(n.id())));
  }

  // --- live: what editors change appears without a reload ---------------------------------------
  // Signed in as an editor or admin (the token kept in sessionStorage, as GraphiQL keeps it), the
  // page follows the change feed (graphql-transport-ws on /graphql) and, after each burst of
  // changes, reads the graph again and updates only what changed: names, arrows and their counts,
  // departments added or removed; the open panel is read again. Reconnects from the last change.
  async function refresh() {
    if (state.mode === "focus") {
      // Read again what is drawn; the views behind it are read again when Back reaches them.
      const keys = current() ? [current().center, ...current().expanded] : [];
      state.hoods = {};
      await Promise.all(keys.map(neighbourhood));
      focusGraph();
    } else {
      await loadGraph();
    }
    await loadStale().catch(() => {}); // (a verification, or an edit, may change what is due)
    if (state.view === "paths") { // the path view is read again by route()
      await route();
      document.body.dataset.changes = String(Number(document.body.dataset.changes || 0) + 1);
      return;
    }
    const cy = state.cy;
    const wanted = new Map(elements().map((el) => [el.data.id, el]));
    let added = false;
    cy.batch(() => {
      cy.elements().forEach((el) => {
        const now = wanted.get(el.id());
        if (!now || (el.isEdge() && (el.data("source") !== now.data.source || el.data("target") !== now.data.target))) {
          cy.remove(el);
          return;
        }
        for (const [name, value] of Object.entries(now.data)) if (el.data(name) !== value) el.data(name, value);
        wanted.delete(el.id());
      });
      const fresh = [...wanted.values()];
      fresh.sort((a, b) => Number("source" in a.data) - Number("source" in b.data)); // nodes before their edges
      if (fresh.length) { cy.add(fresh); added = fresh.some((el) => !("source" in el.data)); }
    });
    if (added) cy.layout(layoutOptions()).run();
    renderLists();
    await route();
    document.body.dataset.changes = String(Number(document.body.dataset.changes || 0) + 1);
  }

  function follow() {
    const token = sessionStorage.getItem("deptgraph.token");
    if (!token || !window.WebSocket) return;
    let last = null;
    let pending = null;
    let wait = 1000;
    const connect = () => {
      const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`, "graphql-transport-ws");
      socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "connection_ack") {
          wait = 1000;
          socket.send(JSON.stringify({ id: "changes", type: "subscribe", payload: {
            query: "subscription ExplorerChanges($after: String) { changes(after: $after) { id label key } }",
            variables: { after: last } } }));
        } else if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        } else if (message.type === "next" && message.payload.data) {
          last = message.payload.data.changes.id;
          clearTimeout(pending);
          pending = setTimeout(() => refresh().catch(() => {}), 250); // one refresh per burst
        } else if (message.type === "next" || message.type === "error") {
          socket.onclose = null; // refused (a viewer's or a revoked token): the page stays as it is
          socket.close();
        }
      };
      socket.onclose = () => { setTimeout(connect, wait); wait = Math.min(wait * 2, 30000); };
    };
    connect();
  }

  // --- lists for keyboards and screen readers ----------------------------------------------
  function renderLists() {
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

  async function loadAllNames() {
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

  function renderGroups() {
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
  const panelBody = () => document.getElementById("panel-body");

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

  async function showDepartment(key) {
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

  async function showPaths(from, to, about) {
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

  async function showFlows(from, to) {
    const data = await gql(`query ExplorerFlows($of: String!, $from: String, $lang: Lang) {
      needs(of: $of, from: $from) { ${FLOW} statement(lang: $lang) } }`, { of: to, from, lang: state.lang.toUpperCase() });
    const flows = data.needs;
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("flowsFromTo", nameOf(from), nameOf(to)))}</h2>
      <p>${flows.length} ${esc(t("items"))}</p>
      ${graphiqlLink("WhatSalesNeedsFromAccounting", { of: to, from })}
      <ul class="flows">${flows.map(flowItem).join("")}</ul>`;
    select(`${from}->${to}`);
  }

  async function showRelationship(a, b) {
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

  async function showAnswer(question) {
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

  function showParty(key) {
    const n = state.nodes[key];
    const partners = state.edges.filter((e) => e.kind === "party" && e.from === key).map((e) => e.to);
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(n[state.lang])}</h2><p>${esc(t("party"))}</p>
      <h3>${esc(t("dealsWith"))}</h3><ul>${partners.map((k) => `<li><a href="#/department/${esc(k)}">${esc(nameOf(k))}</a></li>`).join("")}</ul>`;
    select(key);
  }

  function showWelcome() {
    const picker = state.mode === "focus" && current()
      ? `<p class="focus-intro">${esc(t("focusIntro", state.total, nameOf(current().center)))}</p>
        <form id="picker" role="search" autocomplete="off"><label for="picker-text">${esc(t("pickLabel"))}</label>
        <input id="picker-text" type="search" maxlength="200" placeholder="${esc(t("pickPlaceholder"))}">
        <button type="submit">${esc(t("pickButton"))}</button></form><ul id="picker-results"></ul>`
      : "";
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("welcomeHeading"))}</h2>${picker}<p>${esc(t("welcome"))}</p>`;
    if (state.cy) state.cy.elements().unselect();
  }

  async function pick(text, go) {
    const data = await gql(`query ExplorerPick($text: String!, $lang: Lang) {
      search(text: $text, limit: 20) { kind key text(lang: $lang) } }`, { text, lang: state.lang.toUpperCase() });
    const hits = data.search.filter((h) => h.kind === "Department");
    if (go && hits.length) { location.hash = `#/department/${hits[0].key}`; return; }
    const box = document.getElementById("picker-results");
    if (box) box.innerHTML = hits.length
      ? hits.map((h) => `<li><button type="button" data-hash="#/department/${esc(h.key)}">${esc(h.text)}</button></li>`).join("")
      : `<li>${esc(t("noMatch"))}</li>`;
  }

  function select(id, many) {
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

  // --- routing: #/department/accounting, #/relationship/sales/accounting, #/flows/a/b ---------
  async function route() {
    const [, kindOf, ...keys] = decodeURIComponent(location.hash.replace(/^#/, "")).split("/");
    try {
      const wasPaths = state.view === "paths";
      if (kindOf === "paths") {
        state.view = (await showPaths(keys[0], keys[1], keys.slice(2).join("/"))) ? "paths" : "graph";
        if (state.view === "paths" || wasPaths) redraw();
        if (state.view === "graph" && state.mode === "focus") await ensureDrawn([]);
        if (state.view === "paths") select(null, []);
        document.getElementById("panel").dataset.view = "paths";
        return;
      }
      state.view = "graph";
      if (wasPaths) redraw();
      if (state.mode === "focus") {
        const wanted = ["department", "flows", "relationship"].includes(kindOf) ? keys.filter(Boolean).slice(0, 2) : [];
        await ensureDrawn(wanted);
      }
      if (kindOf === "ask" && keys.length) await showAnswer(keys.join("/"));
      else if (kindOf === "department" && keys[0]) await showDepartment(keys[0]);
      else if (kindOf === "relationship" && keys[1]) await showRelationship(keys[0], keys[1]);
      else if (kindOf === "flows" && keys[1]) await showFlows(keys[0], keys[1]);
      else if (kindOf === "party" && keys[0]) showParty(keys[0]);
      else showWelcome();
      document.getElementById("panel").dataset.view = kindOf || "welcome";
      document.getElementById("back").hidden = !(state.mode === "focus" && state.trail.length > 1);
      document.dispatchEvent(new CustomEvent("deptgraph:panel", { detail: { view: kindOf || "welcome", keys } })); // editor.js
    } catch (error) {
      panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
    }
  }

  // --- search ------------------------------------------------------------------------------
  async function search(text) {
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

  // --- language ------------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = `deptgraph · ${t("title")}`;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of document.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
    for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
    relabel();
    renderLists();
  }

  async function setLanguage(lang) {
    state.lang = lang;
    localStorage.setItem("deptgraph.lang", lang);
    applyLanguage();
    document.getElementById("results").hidden = true;
    await route();
  }

  // --- wiring --------------------------------------------------------------------------------
  const showError = (error) => {
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-hash]");
    if (button && button.dataset.hash) location.hash = button.dataset.hash;
    const expanding = event.target.closest("[data-expand]");
    if (expanding) expand(expanding.dataset.expand).then(route).catch(showError);
    const centring = event.target.closest("[data-focus]");
    if (centring) focusOn(centring.dataset.focus).then(route).catch(showError);
    if (event.target.closest("#back")) back().then(route).catch(showError);
    const lang = event.target.closest("[data-lang]");
    if (lang) setLanguage(lang.dataset.lang);
  });
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = document.getElementById("search-text").value.trim();
    if (text) search(text).catch((error) => { document.getElementById("results").textContent = error.message; });
  });
  document.addEventListener("submit", (event) => {
    if (event.target.id === "picker") {
      event.preventDefault();
      const text = document.getElementById("picker-text").value.trim();
      if (text) pick(text, true).catch(showError);
    } else if (event.target.id === "paths-form") {
      event.preventDefault();
      const value = (id) => encodeURIComponent(document.getElementById(id).value.trim());
      const about = value("path-about");
      location.hash = `#/paths/${value("path-from")}/${value("path-to")}${about ? `/${about}` : ""}`;
    }
  });
  let picking = null;
  document.addEventListener("input", (event) => {
    if (event.target.id === "picker-text") {
      clearTimeout(picking);
      const text = event.target.value.trim();
      if (text) picking = setTimeout(() => pick(text, false).catch(() => {}), 250);
    } else if (event.target.id === "department-filter") {
      renderGroups();
    }
  });
  document.getElementById("all-departments").addEventListener("toggle", (event) => {
    if (event.target.open) loadAllNames().then(renderGroups).catch(showError);
  });
  document.getElementById("ask").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = document.getElementById("ask-text").value.trim();
    if (question) location.hash = `#/ask/${encodeURIComponent(question)}`;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && location.hash) { location.hash = ""; }
  });
  window.addEventListener("hashchange", async () => {
    await route();
    const heading = document.getElementById("panel-heading");
    if (location.hash && heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });

  async function start() {
    applyLanguage();
    try {
      // The first screen reads only what it shows: how large the organisation is, then either the
      // whole drawing (a small one) or one department's neighbourhood.
      const size = await gql(SIZE);
      state.total = size.departmentsConnection.totalCount;
      state.parties = size.parties;
      if (state.total > THRESHOLD) {
        state.mode = "focus";
        state.start = size.departmentsConnection.nodes.length ? size.departmentsConnection.nodes[0].key : null;
        document.body.dataset.mode = "focus";
        document.querySelector(".legend").dataset.i18n = "focusLegend";
      } else {
        await loadGraph();
      }
      await loadStale();
    } catch (error) {
      panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
      return;
    }
    drawGraph();
    applyLanguage();
    await route();
    document.body.dataset.ready = "true";
    follow();
  }

  window.deptgraph = { state, route, expand, back, gql, t, esc, refresh, follow }; // editor.js uses gql … follow
  start();
})();
