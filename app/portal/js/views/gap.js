// Supply (graduates of the published distribution) against demand (open demands' headcount).
import { getAll } from "../api.js";
import { barFigure, field, h, num, periodName, section, table } from "../ui.js";

const GROUPS = { class: "专业类", cluster: "产业集群", district: "区县" };

export async function render(el, _params, query) {
  const group = GROUPS[query.get("group_by")] ? query.get("group_by") : "class";
  const picker = h("select", { name: "group_by" }, Object.entries(GROUPS).map(([v, t]) => h("option", { value: v }, `按${t}`)));
  picker.value = group;
  picker.addEventListener("change", () => (location.hash = `#/supply-demand?group_by=${picker.value}`));
  const body = h("div", {});
  el.append(
    h("h1", {}, "人才供需缺口"),
    h("p", { class: "lead" }, "供给为最近一期已发布学生分布中的应届毕业生人数，需求为征集中的企业用工需求人数。缺口为正表示供大于求，为负表示人才短缺。"),
    h("form", { class: "filters inline", onsubmit: (e) => e.preventDefault() }, field("分组", picker)),
    body,
  );
  await section(body, async () => {
    const g = await getAll("/analytics/supply-demand", { group_by: group });
    const items = g.items.filter((i) => i.key !== "-" || i.supply || i.demand);
    const byGap = [...items].sort((a, b) => a.gap - b.gap);
    return [
      h("section", { class: "figures" }, h("div", { class: "figure-card" }, h("strong", {}, num(g.total_supply)), h("span", {}, `供给 · ${periodName(g.period)}`)), h("div", { class: "figure-card" }, h("strong", {}, num(g.total_demand)), h("span", {}, "需求人数")), h("div", { class: "figure-card" }, h("strong", {}, num(g.total_supply - g.total_demand)), h("span", {}, "总缺口"))),
      h(
        "div",
        { class: "grid-2 chart-table" },
        barFigure(`供给与需求（${GROUPS[group]}）`, byGap.slice(0, 20).map((i) => ({ name: i.name || i.key, supply: i.supply, demand: i.demand })), { series: [{ name: "供给", key: "supply" }, { name: "需求", key: "demand" }] }),
        table(
          [
            { title: GROUPS[group], cell: (i) => (group === "class" ? `${i.key} ${i.name}` : i.name || "未标明") },
            { title: "供给", num: true, cell: (i) => num(i.supply) },
            { title: "需求", num: true, cell: (i) => num(i.demand) },
            { title: "缺口", num: true, cell: (i) => h("span", { class: i.gap < 0 ? "delta delta-down" : "delta" }, num(i.gap)) },
            { title: "供需比", num: true, cell: (i) => (i.ratio == null ? "—" : i.ratio.toFixed(2)) },
          ],
          byGap,
        ),
      ),
    ];
  });
}
