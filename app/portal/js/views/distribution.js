// The published student distribution of a period: charts by category, class and district.
import { get, getAll } from "../api.js";
import { barFigure, empty, field, h, num, periodName, section, table } from "../ui.js";

const GROUPS = [
  ["category", "专业大类"],
  ["class", "专业类"],
  ["district", "区县"],
];

function change(now, before) {
  if (before === undefined) return h("span", { class: "delta" }, "新增");
  const d = (now || 0) - (before || 0);
  const cls = d > 0 ? "delta delta-up" : d < 0 ? "delta delta-down" : "delta";
  return h("span", { class: cls }, d > 0 ? `+${num(d)}` : d === 0 ? "持平" : num(d));
}

export async function render(el, _params, query) {
  const pubs = await get("/publications", { dataset: "student_distribution", limit: 200 });
  const periods = [...new Set(pubs.items.map((p) => p.period))].sort().reverse();
  el.append(h("h1", {}, "学生专业分布"), h("p", { class: "lead" }, "职业院校每半年报送在校生专业分布，由市教育局、市人社局审核后冻结发布。以下为已发布数据。"));
  if (!periods.length) {
    el.append(empty("尚无已发布的学生专业分布。"));
    return;
  }
  const period = periods.includes(query.get("period")) ? query.get("period") : periods[0];
  const previous = periods[periods.indexOf(period) + 1];
  const picker = h("select", { name: "period" }, periods.map((p) => h("option", { value: p }, periodName(p))));
  picker.value = period;
  picker.addEventListener("change", () => (location.hash = `#/distribution?period=${picker.value}`));
  const latest = pubs.items.find((p) => p.period === period);
  el.append(
    h(
      "div",
      { class: "toolbar" },
      h("form", { class: "filters inline", onsubmit: (e) => e.preventDefault() }, field("期次", picker)),
      h("p", {}, previous ? `与上一期（${periodName(previous)}）比较` : "没有更早的已发布期次可比较", " · ", h("a", { href: `#/publications/${latest.id}` }, `下载本期数据（第 ${latest.version} 版）`)),
    ),
  );
  const totals = h("section", { class: "figures", "aria-label": "本期合计" });
  el.append(totals);
  const panels = GROUPS.map(() => h("section", { class: "panel" }));
  el.append(...panels);
  const summaries = await Promise.all(
    GROUPS.map(([group]) => Promise.all([getAll("/student-distributions/summary", { group_by: group, period, view: "published" }), previous ? getAll("/student-distributions/summary", { group_by: group, period: previous, view: "published" }) : null])),
  );
  const [now0, before0] = summaries[0];
  const sum = (s, k) => (s ? s.items.reduce((t, i) => t + (i[k] || 0), 0) : undefined);
  const card = (value, text, before) => h("div", { class: "figure-card" }, h("strong", {}, num(value)), h("span", {}, text), before !== undefined ? h("small", { class: "delta-line" }, "较上期 ", change(value, before)) : null);
  totals.append(card(sum(now0, "headcount"), "在校生", sum(before0, "headcount")), card(sum(now0, "graduating_headcount"), "应届毕业生", sum(before0, "graduating_headcount")), card(now0.items.length, "涉及专业大类"));
  await Promise.all(
    GROUPS.map(([group, title], n) =>
      section(panels[n], async () => {
        const [now, before] = summaries[n];
        const prior = before ? Object.fromEntries(before.items.map((i) => [i.key, i.headcount])) : null;
        const items = [...now.items].sort((a, b) => (b.headcount || 0) - (a.headcount || 0));
        return [
          h("h2", {}, `按${title}`),
          h(
            "div",
            { class: "grid-2 chart-table" },
            barFigure(`在校生与应届毕业生（按${title}）`, items.slice(0, 15).map((i) => ({ name: group === "district" ? i.name : `${i.key} ${i.name}`, headcount: i.headcount, graduating: i.graduating_headcount })), { series: [{ name: "在校生", key: "headcount" }, { name: "应届毕业生", key: "graduating" }] }),
            table(
              [
                { title, cell: (i) => (group === "district" ? i.name : `${i.key} ${i.name}`) },
                { title: "在校生", num: true, cell: (i) => (i.suppressed ? "<5" : num(i.headcount)) },
                { title: "应届毕业生", num: true, cell: (i) => (i.suppressed ? "<5" : num(i.graduating_headcount)) },
                prior ? { title: "较上期", num: true, cell: (i) => change(i.headcount, prior[i.key]) } : null,
              ].filter(Boolean),
              items,
            ),
          ),
        ];
      }),
    ),
  );
}
