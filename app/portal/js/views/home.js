import { get, getAll } from "../api.js";
import { barFigure, day, empty, h, label, num, periodName, pieFigure, section } from "../ui.js";

const LEVEL_OF_CATEGORY = (key) => ({ 2: "undergraduate", 3: "undergraduate", 4: "higher", 5: "higher", 6: "secondary", 7: "secondary" })[key[0]];

export async function render(el) {
  const figures = h("section", { class: "figures", "aria-label": "关键数据" });
  const levels = h("div", { class: "panel" });
  const gaps = h("div", { class: "panel" });
  const latest = h("div", { class: "grid-3" });
  const pubs = h("div", { class: "panel" });
  const demands = h("div", { class: "panel" });
  el.append(
    h("h1", { class: "visually-hidden" }, "首页"),
    h("section", { class: "hero" }, h("h2", {}, "校企合作，一个数据源"), h("p", {}, "市教育局、人社局、科技局、工信局与企业、职业院校在此发布和共享科技项目、企业名录、校企合作与社会服务项目、学生专业分布和用工需求。")),
    figures,
    h("div", { class: "grid-2" }, levels, gaps),
    h("h2", { class: "section-title" }, "最新发布"),
    latest,
    h("div", { class: "grid-2" }, demands, pubs),
  );
  await Promise.all([
    section(figures, async () => {
      const o = await get("/analytics/overview");
      const c = o.city;
      const figure = (value, text, href) => h("a", { class: "figure-card", href }, h("strong", {}, num(value)), h("span", {}, text));
      return [
        figure(c.supply, `${periodName(o.period)}应届毕业生`, "#/distribution"),
        figure(c.open_demands, "征集中的用工需求", "#/supply-demand"),
        figure(c.open_headcount, "需求人数", "#/supply-demand"),
        figure(c.enterprises, "名录企业", "#/feeds/enterprises"),
        figure(c.colleges, "职业院校", "#/distribution"),
      ];
    }),
    section(levels, async () => {
      const s = await getAll("/student-distributions/summary", { group_by: "category", view: "published" });
      const byLevel = {};
      for (const item of s.items) {
        const level = LEVEL_OF_CATEGORY(item.key);
        byLevel[level] = (byLevel[level] || 0) + (item.headcount || 0);
      }
      const items = Object.entries(byLevel).map(([level, value]) => ({ name: label("level", level), value }));
      return [h("h2", {}, "在校生按层次", h("small", {}, ` ${periodName(s.period)} · 已发布数据`)), items.length ? pieFigure("在校生人数按层次", items) : empty("尚无已发布的学生分布。")];
    }),
    section(gaps, async () => {
      const g = await getAll("/analytics/supply-demand", { group_by: "class" });
      const items = g.items.filter((i) => i.key !== "-").sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap)).slice(0, 8).map((i) => ({ ...i, name: `${i.key} ${i.name}` }));
      return [
        h("h2", {}, "供需缺口最大的专业类", h("small", {}, ` ${periodName(g.period)}`)),
        items.length ? barFigure("供给（应届毕业生）与需求（需求人数）", items, { series: [{ name: "供给", key: "supply" }, { name: "需求", key: "demand" }] }) : empty(),
        h("p", {}, h("a", { href: "#/supply-demand" }, "查看全部供需分析 →")),
      ];
    }),
    section(latest, async () => {
      const feeds = [
        ["tech-projects", "科技信息与校地合作", (i) => i.title],
        ["cooperation-projects", "校企合作项目", (i) => i.title],
        ["social-service-projects", "社会服务项目", (i) => i.title],
      ];
      const pages = await Promise.all(feeds.map(([path]) => get(`/${path}`, { limit: 5 })));
      return feeds.map(([path, title, text], n) =>
        h(
          "div",
          { class: "panel" },
          h("h3", {}, title),
          pages[n].items.length
            ? h("ul", { class: "news" }, pages[n].items.map((i) => h("li", {}, h("a", { href: `#/feeds/${path}/${i.id}` }, text(i)), h("time", {}, day(i.published_at)))))
            : empty(),
          h("p", { class: "more" }, h("a", { href: `#/feeds/${path}` }, "更多 →")),
        ),
      );
    }),
    section(demands, async () => {
      const d = await get("/demands", { status: "open", limit: 5 });
      return [
        h("h3", {}, "征集中的用工需求"),
        d.items.length
          ? h("ul", { class: "news" }, d.items.map((i) => h("li", {}, h("span", {}, `${i.title}`, h("small", { class: "meta" }, ` ${label("demandKind", i.kind)} · ${num(i.headcount)} 人`)), h("time", {}, `至 ${i.valid_until}`))))
          : empty("暂无征集中的需求。"),
        h("p", { class: "more" }, h("a", { href: "#/supply-demand" }, "供需缺口分析 →")),
      ];
    }),
    section(pubs, async () => {
      const p = await get("/publications", { limit: 5 });
      return [
        h("h3", {}, "数据发布"),
        p.items.length
          ? h("ul", { class: "news" }, p.items.map((i) => h("li", {}, h("a", { href: `#/publications/${i.id}` }, `${label("dataset", i.dataset)} ${periodName(i.period)}（第 ${i.version} 版）`), h("time", {}, day(i.published_at)))))
          : empty("尚无数据发布。"),
        h("p", { class: "more" }, h("a", { href: "#/publications" }, "全部发布与发布日历 →")),
      ];
    }),
  ]);
}
