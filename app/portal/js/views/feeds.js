// The four government feeds: lists with Chinese search and filters, and item pages.
import { clusters, districtNames, get } from "../api.js";
import { badge, day, field, h, label, num, options, pager, section, table } from "../ui.js";

const select = (name, group, blank) => h("select", { name }, options(group, { blank }));

export const FEEDS = {
  "tech-projects": {
    title: "科技信息与校地合作项目",
    department: "市科学技术局",
    filters: (ctx) => [
      field("类别", select("kind", "techKind", "全部")),
      field("产业集群", h("select", { name: "cluster_code" }, h("option", { value: "" }, "全部"), ctx.clusters.map((c) => h("option", { value: c.code }, c.name)))),
      field("截止日期不早于", h("input", { type: "date", name: "deadline_from" })),
    ],
    columns: (ctx) => [
      { title: "标题", cell: (i) => h("a", { href: `#/feeds/tech-projects/${i.id}` }, i.title) },
      { title: "类别", cell: (i) => label("techKind", i.kind) },
      { title: "产业集群", cell: (i) => ctx.clusterName[i.cluster_code] || "—" },
      { title: "截止日期", cell: (i) => day(i.deadline) },
      { title: "发布日期", cell: (i) => day(i.published_at) },
    ],
    fields: (ctx) => [
      ["类别", (i) => label("techKind", i.kind)],
      ["摘要", (i) => i.summary],
      ["详细说明", (i) => i.description],
      ["产业集群", (i) => ctx.clusterName[i.cluster_code]],
      ["截止日期", (i) => day(i.deadline)],
      ["联系方式", (i) => i.contact],
    ],
    heading: (i) => i.title,
  },
  enterprises: {
    title: "企业名录",
    department: "市工业和信息化局",
    filters: (ctx) => [
      field("区县", h("select", { name: "district_code" }, h("option", { value: "" }, "全部"), ctx.countyOptions)),
      field("产业集群", h("select", { name: "cluster_code" }, h("option", { value: "" }, "全部"), ctx.clusters.map((c) => h("option", { value: c.code }, c.name)))),
      field("规模", select("size", "size", "全部")),
      field("产教融合型企业", h("select", { name: "integration_level" }, h("option", { value: "" }, "全部"), ["national", "provincial", "municipal", "none"].map((v) => h("option", { value: v }, v === "none" ? "非产教融合型企业" : `${label("integration", v)}产教融合型企业`)))),
    ],
    columns: (ctx) => [
      { title: "企业名称", cell: (i) => h("a", { href: `#/feeds/enterprises/${i.id}` }, i.name) },
      { title: "统一社会信用代码", cell: (i) => h("code", {}, i.credit_code) },
      { title: "所在区县", cell: (i) => ctx.districts[i.district_code] || i.district_code },
      { title: "产业集群", cell: (i) => ctx.clusterName[i.cluster_code] || "—" },
      { title: "规模", cell: (i) => label("size", i.size) },
      { title: "产教融合型企业", cell: (i) => (i.integration_level && i.integration_level !== "none" ? h("span", { class: `tag tag-${i.integration_level}` }, label("integration", i.integration_level)) : "—") },
    ],
    fields: (ctx) => [
      ["统一社会信用代码", (i) => i.credit_code],
      ["行业代码（GB/T 4754）", (i) => i.industry_code],
      ["所在区县", (i) => ctx.districts[i.district_code] || i.district_code],
      ["产业集群", (i) => ctx.clusterName[i.cluster_code]],
      ["规模", (i) => label("size", i.size)],
      ["产教融合型企业", (i) => (i.integration_level === "none" ? "否" : `${label("integration", i.integration_level)}产教融合型企业`)],
      ["简介", (i) => i.description],
    ],
    heading: (i) => i.name,
  },
  "cooperation-projects": {
    title: "校企合作项目",
    department: "市工业和信息化局",
    filters: () => [
      field("合作形式", select("kind", "coopKind", "全部")),
      field("专业代码", h("input", { name: "major_code", pattern: "\\d{2}(\\d{2}(\\d{2}K?)?)?", placeholder: "如 4601", inputmode: "numeric" })),
      field("开始日期不早于", h("input", { type: "date", name: "start_date_from" })),
    ],
    columns: () => [
      { title: "项目名称", cell: (i) => h("a", { href: `#/feeds/cooperation-projects/${i.id}` }, i.title) },
      { title: "合作形式", cell: (i) => label("coopKind", i.kind) },
      { title: "专业", cell: (i) => (i.major_codes || []).join("、") || "—" },
      { title: "起止日期", cell: (i) => `${day(i.start_date)} 至 ${i.end_date ? day(i.end_date) : "—"}` },
    ],
    fields: () => [
      ["合作形式", (i) => label("coopKind", i.kind)],
      ["说明", (i) => i.description],
      ["合作企业", (i, names) => (i.enterprise_ids || []).map((id) => names[id] || `编号 ${id}`).join("、")],
      ["合作院校", (i, names) => (i.college_ids || []).map((id) => names[id] || `编号 ${id}`).join("、")],
      ["专业代码", (i) => (i.major_codes || []).join("、")],
      ["开始日期", (i) => day(i.start_date)],
      ["结束日期", (i) => day(i.end_date)],
    ],
    heading: (i) => i.title,
  },
  "social-service-projects": {
    title: "社会服务（技能培训）项目",
    department: "市教育局、市人社局",
    filters: () => [
      field("培训对象", select("target_group", "targetGroup", "全部")),
      field("名额不少于", h("input", { type: "number", name: "capacity_min", min: 1, max: 100000 })),
      field("开始日期不早于", h("input", { type: "date", name: "start_date_from" })),
    ],
    columns: () => [
      { title: "项目名称", cell: (i) => h("a", { href: `#/feeds/social-service-projects/${i.id}` }, i.title) },
      { title: "培训对象", cell: (i) => (i.target_groups || []).map((g) => label("targetGroup", g)).join("、") },
      { title: "名额", num: true, cell: (i) => num(i.capacity) },
      { title: "开始日期", cell: (i) => day(i.start_date) },
    ],
    fields: () => [
      ["说明", (i) => i.description],
      ["培训对象", (i) => (i.target_groups || []).map((g) => label("targetGroup", g)).join("、")],
      ["名额", (i) => num(i.capacity)],
      ["开始日期", (i) => day(i.start_date)],
      ["结束日期", (i) => day(i.end_date)],
      ["证书", (i) => (i.certificates || []).join("、")],
    ],
    heading: (i) => i.title,
  },
};

export async function context() {
  const [districts, clusterList] = await Promise.all([districtNames(), clusters()]);
  const page = await get("/taxonomies/districts", { level: "county", limit: 50 });
  return {
    districts,
    clusters: clusterList,
    clusterName: Object.fromEntries(clusterList.map((c) => [c.code, c.name])),
    countyOptions: page.items.map((d) => h("option", { value: d.code }, d.name)),
  };
}

export async function list(el, [feed], query) {
  const spec = FEEDS[feed];
  if (!spec) throw new Error("没有这个栏目。");
  const ctx = await context();
  const q = h("input", { type: "search", name: "q", minlength: 2, maxlength: 50, placeholder: "输入至少两个字，如 海参" });
  // On a phone the filters fold away under the search box (open when one is in use).
  const used = [...query.keys()].some((k) => k !== "q" && k !== "offset");
  const more = h("details", { class: "more-filters", open: used || window.matchMedia("(min-width: 761px)").matches }, h("summary", {}, "筛选条件"), h("div", { class: "filter-fields" }, spec.filters(ctx)));
  const form = h(
    "form",
    { class: "filters", role: "search" },
    field("搜索", q, { wide: true }),
    more,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "查询"), h("a", { class: "btn", href: `#/feeds/${feed}` }, "重置")),
  );
  for (const control of form.elements) if (control.name && query.has(control.name)) control.value = query.get(control.name);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const params = new URLSearchParams();
    for (const control of form.elements) if (control.name && control.value) params.set(control.name, control.value);
    location.hash = `#/feeds/${feed}?${params}`;
  });
  const results = h("div", { class: "results" });
  el.append(h("h1", {}, spec.title), h("p", { class: "lead" }, `由${spec.department}发布。`), form, results);
  const params = Object.fromEntries(query);
  await section(results, async () => {
    const page = await get(`/${feed}`, { limit: 20, ...params });
    const go = (offset) => {
      const next = new URLSearchParams(query);
      next.set("offset", offset);
      location.hash = `#/feeds/${feed}?${next}`;
    };
    return [table(spec.columns(ctx), page.items, { emptyText: params.q ? `没有找到与“${params.q}”相关的内容。` : "暂无已发布的内容。" }), pager(page, go)];
  });
}

export async function item(el, [feed, id]) {
  const spec = FEEDS[feed];
  if (!spec) throw new Error("没有这个栏目。");
  const [ctx, entry] = await Promise.all([context(), get(`/${feed}/${id}`)]);
  // A cooperation project names its partners by id: their names come from /organizations.
  const ids = [...(entry.enterprise_ids || []), ...(entry.college_ids || [])];
  const orgs = await Promise.all(ids.map((org) => get(`/organizations/${org}`).catch(() => null)));
  const names = Object.fromEntries(orgs.filter(Boolean).map((o) => [o.id, o.name]));
  const rows = [...spec.fields(ctx), ["状态", (i) => badge(i.status)], ["发布时间", (i) => day(i.published_at)], ["更新时间", (i) => day(i.updated_at)]];
  el.append(
    h("nav", { class: "crumbs", "aria-label": "位置" }, h("a", { href: `#/feeds/${feed}` }, spec.title), " / ", spec.heading(entry)),
    h("h1", {}, spec.heading(entry)),
    h("dl", { class: "card details" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value(entry, names) || "—")])),
  );
}
