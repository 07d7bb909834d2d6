// Publications: versions, sha256, CSV/XLSX downloads and the publishing calendar.
import { get, url } from "../api.js";
import { date, day, field, h, label, num, options, pager, periodName, section, table } from "../ui.js";

export async function list(el, _params, query) {
  const calendar = h("div", { class: "panel" });
  const results = h("div", {});
  const dataset = h("select", { name: "dataset" }, options("dataset", { blank: "全部数据集" }));
  dataset.value = query.get("dataset") || "";
  dataset.addEventListener("change", () => (location.hash = `#/publications${dataset.value ? `?dataset=${dataset.value}` : ""}`));
  el.append(
    h("h1", {}, "数据发布"),
    h("p", { class: "lead" }, "各部门按发布日历定期冻结发布的数据集。每个版本都保留，可下载 CSV 或 Excel，CSV 文件可用 SHA-256 校验。"),
    h("h2", {}, "发布日历"),
    calendar,
    h("h2", {}, "已发布的数据"),
    h("form", { class: "filters", onsubmit: (e) => e.preventDefault() }, field("数据集", dataset)),
    results,
  );
  await Promise.all([
    section(calendar, async () => {
      const s = await get("/publications/schedule");
      return [
        table(
          [
            { title: "数据集", cell: (i) => i.title },
            { title: "发布周期", cell: (i) => label("cadence", i.cadence) },
            { title: "负责部门", cell: (i) => i.departments.map((d) => label("department", d)).join("、") },
            { title: "最近发布", cell: (i) => (i.latest_period ? `${periodName(i.latest_period)} 第 ${i.latest_version} 版` : "尚未发布") },
            { title: "下一期", cell: (i) => periodName(i.next_period) },
            { title: "应发布日期", cell: (i) => day(i.next_due_date) },
            { title: "状态", cell: (i) => (i.overdue ? h("span", { class: "badge badge-overdue" }, "已逾期") : i.cadence === "continuous" ? "持续发布" : h("span", { class: "badge badge-ok" }, "按期")) },
          ],
          s.items,
        ),
        h("p", { class: "hint" }, `按 ${s.as_of} 计算；期末后 ${s.grace_days} 天内应发布。`),
      ];
    }),
    section(results, async () => {
      const page = await get("/publications", { dataset: dataset.value, limit: 20, offset: query.get("offset") });
      return [
        table(
          [
            { title: "数据集", cell: (i) => h("a", { href: `#/publications/${i.id}` }, label("dataset", i.dataset)) },
            { title: "期次", cell: (i) => periodName(i.period) },
            { title: "版本", num: true, cell: (i) => `第 ${i.version} 版` },
            { title: "行数", num: true, cell: (i) => num(i.row_count) },
            { title: "发布单位", cell: (i) => i.published_by.organization_name || "—" },
            { title: "发布时间", cell: (i) => date(i.published_at) },
            { title: "下载", cell: (i) => downloads(i) },
          ],
          page.items,
          { emptyText: "尚无数据发布。" },
        ),
        pager(page, (offset) => (location.hash = `#/publications?${new URLSearchParams({ dataset: dataset.value, offset })}`)),
      ];
    }),
  ]);
}

function downloads(p) {
  const name = `${p.dataset}-${p.period}-v${p.version}`;
  return h(
    "span",
    { class: "downloads" },
    h("a", { href: url(`/publications/${p.id}/export`, { format: "csv" }), download: `${name}.csv`, "aria-label": `下载 CSV：${label("dataset", p.dataset)} ${p.period} 第 ${p.version} 版` }, "CSV"),
    h("a", { href: url(`/publications/${p.id}/export`, { format: "xlsx" }), download: `${name}.xlsx`, "aria-label": `下载 Excel：${label("dataset", p.dataset)} ${p.period} 第 ${p.version} 版` }, "Excel"),
  );
}

export async function item(el, [id]) {
  const p = await get(`/publications/${id}`);
  const versions = h("div", {});
  const rows = h("div", {});
  el.append(
    h("nav", { class: "crumbs", "aria-label": "位置" }, h("a", { href: "#/publications" }, "数据发布"), " / ", label("dataset", p.dataset)),
    h("h1", {}, `${label("dataset", p.dataset)} · ${periodName(p.period)}`),
    h(
      "dl",
      { class: "card details" },
      h("dt", {}, "版本"), h("dd", {}, `第 ${p.version} 版`),
      h("dt", {}, "行数"), h("dd", {}, num(p.row_count)),
      h("dt", {}, "发布单位"), h("dd", {}, `${p.published_by.organization_name || "—"}（${p.published_by.username || "—"}）`),
      h("dt", {}, "发布时间"), h("dd", {}, date(p.published_at)),
      h("dt", {}, "SHA-256（CSV）"), h("dd", {}, h("code", { class: "sha", "data-sha256": p.sha256 }, p.sha256)),
      h("dt", {}, "下载"), h("dd", {}, downloads(p)),
    ),
    h("h2", {}, "全部版本"),
    versions,
    h("h2", {}, "数据预览（前 20 行）"),
    rows,
  );
  await Promise.all([
    section(versions, async () => {
      const all = await get("/publications", { dataset: p.dataset, period: p.period, limit: 50 });
      return table(
        [
          { title: "版本", cell: (i) => (i.id === p.id ? h("strong", {}, `第 ${i.version} 版（当前）`) : h("a", { href: `#/publications/${i.id}` }, `第 ${i.version} 版`)) },
          { title: "行数", num: true, cell: (i) => num(i.row_count) },
          { title: "发布时间", cell: (i) => date(i.published_at) },
          { title: "SHA-256", cell: (i) => h("code", { class: "sha-short", title: i.sha256 }, `${i.sha256.slice(0, 16)}…`) },
          { title: "下载", cell: (i) => downloads(i) },
        ],
        all.items,
      );
    }),
    section(rows, async () => {
      const page = await get(`/publications/${id}/rows`, { limit: 20 });
      return table(
        p.columns.map((c) => ({ title: c, cell: (r) => (Array.isArray(r.data[c]) ? r.data[c].join("; ") : r.data[c] ?? "") })),
        page.items,
        { emptyText: "该版本没有数据行。" },
      );
    }),
  ]);
}
