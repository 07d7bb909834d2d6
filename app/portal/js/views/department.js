// A department: approve registrations, write and publish feed items, publish datasets,
// and see which colleges have not submitted for the period.
import { get, getVersioned, patch, post } from "../api.js";
import { actionButton, badge, checkForm, currentQuarter, date, field, h, label, mount, notice, num, openPeriods, options, periodName, section, showProblem, table } from "../ui.js";
import { context } from "./feeds.js";

// Which feeds each department publishes, and which it writes items of itself.
const PUBLISHES = {
  tech: ["tech-projects"],
  industry: ["enterprises", "cooperation-projects"],
  education: ["social-service-projects"],
  hr: ["social-service-projects"],
};
const WRITES = { tech: "tech-projects", industry: "enterprises" };
const APPROVES = { industry: "enterprise", education: "college", hr: "training_institution" };
const FEED_TITLES = { "tech-projects": "科技信息与校地合作项目", enterprises: "企业名录", "cooperation-projects": "校企合作项目", "social-service-projects": "社会服务项目" };

export async function render(el, me) {
  const dept = me.is_platform_admin ? "admin" : me.organization.department;
  const parts = [];
  const add = (id, load) => {
    const box = h("section", { class: "panel", id });
    parts.push([box, load]);
    el.append(box);
  };
  if (APPROVES[dept] || dept === "admin") add("approvals", () => approvals(dept));
  const feeds = dept === "admin" ? Object.keys(FEED_TITLES) : PUBLISHES[dept] || [];
  if (WRITES[dept]) add("feed-editor", () => feedEditor(WRITES[dept]));
  for (const feed of feeds) add(`desk-${feed}`, () => feedDesk(feed, WRITES[dept] === feed));
  add("publish", () => publishDataset(me, dept));
  if (["education", "hr", "admin"].includes(dept)) add("submissions", () => submissions());
  await Promise.all(parts.map(([box, load]) => section(box, load)));
}

async function approvals(dept) {
  const page = await get("/organizations", { status: "pending", limit: 100 });
  const box = h("div", {});
  const feedback = h("div", { "aria-live": "polite" });
  const draw = (items) =>
    mount(
      box,
      h("h2", {}, "待审核的注册", h("small", {}, dept === "admin" ? " 全部类型" : ` ${label("orgType", APPROVES[dept])}`)),
      feedback,
      table(
        [
          { title: "名称", cell: (o) => o.name },
          { title: "类型", cell: (o) => label("orgType", o.org_type) },
          { title: "统一社会信用代码", cell: (o) => (o.credit_code ? h("code", {}, o.credit_code) : "—") },
          { title: "区县代码", cell: (o) => o.district_code || "—" },
          { title: "注册时间", cell: (o) => date(o.created_at) },
          {
            title: "操作",
            cell: (o) =>
              actionButton("批准", async () => {
                const approved = await post(`/organizations/${o.id}/approve`);
                mount(feedback, notice(`已批准“${approved.name}”。`));
                draw(items.filter((x) => x.id !== o.id));
              }, { kind: "btn-primary", target: feedback }),
          },
        ],
        items,
        { emptyText: "没有待审核的注册。" },
      ),
    );
  draw(page.items);
  return box;
}

function inputDate(offsetDays) {
  return new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000).toISOString().slice(0, 10);
}

async function feedEditor(feed) {
  const ctx = await context();
  const clusterSelect = () => h("select", { name: "cluster_code" }, h("option", { value: "" }, "（无）"), ctx.clusters.map((c) => h("option", { value: c.code }, `${c.code} ${c.name}`)));
  let controls;
  if (feed === "tech-projects") {
    controls = {
      kind: h("select", { name: "kind", required: true }, options("techKind")),
      title: h("input", { name: "title", required: true, minlength: 2, maxlength: 200 }),
      summary: h("textarea", { name: "summary", required: true, minlength: 1, maxlength: 2000, rows: 2 }),
      description: h("textarea", { name: "description", maxlength: 20000, rows: 3 }),
      cluster_code: clusterSelect(),
      deadline: h("input", { type: "date", name: "deadline", min: inputDate(0) }),
      contact: h("input", { name: "contact", maxlength: 200 }),
    };
  } else {
    controls = {
      name: h("input", { name: "name", required: true, minlength: 2, maxlength: 200 }),
      credit_code: h("input", { name: "credit_code", required: true, minlength: 18, maxlength: 18, pattern: "[0-9A-HJ-NPQRTUWXY]{18}", autocapitalize: "characters", "data-format": "应为 18 位数字或大写字母（不含 I、O、Z、S、V）。" }),
      industry_code: h("input", { name: "industry_code", required: true, pattern: "[A-T]|\\d{2,4}", placeholder: "如 3421", "data-format": "应为门类字母 A–T 或 2–4 位数字。" }),
      district_code: h("select", { name: "district_code", required: true }, ctx.countyOptions.map((o) => o.cloneNode(true))),
      cluster_code: clusterSelect(),
      size: h("select", { name: "size", required: true }, options("size")),
      integration_level: h("select", { name: "integration_level" }, ["none", "municipal", "provincial", "national"].map((v) => h("option", { value: v }, v === "none" ? "否" : `${label("integration", v)}产教融合型企业`))),
      description: h("textarea", { name: "description", maxlength: 5000, rows: 2 }),
    };
  }
  const names = {
    kind: "类别", title: "标题", summary: "摘要", description: "详细说明", cluster_code: "产业集群", deadline: "截止日期", contact: "联系方式",
    name: "企业名称", credit_code: "统一社会信用代码", industry_code: "行业代码（GB/T 4754）", district_code: "所在区县", size: "规模", integration_level: "产教融合型企业",
  };
  const result = h("div", { "aria-live": "polite" });
  const heading = h("h2", {}, `新建${FEED_TITLES[feed]}`);
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "保存并发布");
  const draftOnly = h("button", { type: "button", class: "btn" }, "仅保存草稿");
  const cancel = h("button", { type: "button", class: "btn", hidden: true }, "取消编辑");
  let editing = null; // {item, etag} of the draft being changed
  const stopEditing = () => {
    editing = null;
    form.reset();
    heading.textContent = `新建${FEED_TITLES[feed]}`;
    cancel.hidden = true;
  };
  cancel.addEventListener("click", stopEditing);
  window.addEventListener("portal:edit-item", async (event) => {
    if (event.detail.feed !== feed || !document.body.contains(form)) return;
    const { body, etag } = await getVersioned(`/${feed}/${event.detail.id}`);
    editing = { item: body, etag };
    for (const [k, c] of Object.entries(controls)) c.value = body[k] ?? "";
    heading.textContent = `编辑：${body.title || body.name}`;
    cancel.hidden = false;
    mount(result);
    form.scrollIntoView({ block: "start" });
    controls[Object.keys(controls)[0]].focus();
  });
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-grid" }, Object.entries(controls).map(([k, c]) => field(names[k], c, { wide: c.tagName === "TEXTAREA" }))),
    h("div", { class: "actions" }, submit, draftOnly, cancel),
    result,
  );
  const save = async (publish) => {
    if (!checkForm(form)) return;
    const body = {};
    for (const [k, c] of Object.entries(controls)) {
      const v = c.value.trim();
      if (v !== "") body[k] = v;
      else if (editing && editing.item[k] != null) body[k] = null; // cleared
    }
    try {
      // A change carries the ETag read with the item: 412 if someone changed it meanwhile.
      const item = editing ? await patch(`/${feed}/${editing.item.id}`, body, editing.etag) : await post(`/${feed}`, body);
      const final = publish ? await post(`/${feed}/${item.id}/publish`) : item;
      mount(result, notice(`${publish ? "已发布" : "已保存草稿"}：“${final.title || final.name}”。`));
      stopEditing();
      window.dispatchEvent(new CustomEvent("portal:feed-changed", { detail: feed }));
    } catch (error) {
      showProblem(form, error);
      if (error.code === "stale_version") result.replaceChildren(notice("该条目已被他人修改：请取消编辑，重新打开后再改。", "warn"));
    }
  };
  form.addEventListener("submit", (e) => (e.preventDefault(), save(true)));
  draftOnly.addEventListener("click", () => save(false));
  return h("div", {}, heading, form);
}

async function feedDesk(feed, editable) {
  const box = h("div", {});
  const load = async () => {
    const page = await get(`/${feed}`, { limit: 20 });
    const feedback = h("div", { "aria-live": "polite" });
    const step = (i, verb) =>
      actionButton(verb === "publish" ? "发布" : "撤回", async () => {
        await post(`/${feed}/${i.id}/${verb}`);
        await load();
      }, { kind: verb === "publish" ? "btn-primary" : "", target: feedback });
    mount(
      box,
      h("h2", {}, `${FEED_TITLES[feed]}：审核与发布`, h("small", {}, ` 共 ${num(page.total)} 条`)),
      feedback,
      table(
        [
          { title: "标题", cell: (i) => h("a", { href: `#/feeds/${feed}/${i.id}` }, i.title || i.name) },
          { title: "状态", cell: (i) => badge(i.status) },
          { title: "更新时间", cell: (i) => date(i.updated_at) },
          {
            title: "操作",
            cell: (i) =>
              h(
                "div",
                { class: "row-actions" },
                i.status === "published" ? step(i, "withdraw") : step(i, "publish"),
                editable && i.status !== "published" ? h("button", { type: "button", class: "btn", onclick: () => window.dispatchEvent(new CustomEvent("portal:edit-item", { detail: { feed, id: i.id } })) }, "编辑") : null,
              ),
          },
        ],
        page.items,
        { emptyText: "暂无条目。" },
      ),
    );
  };
  window.addEventListener("portal:feed-changed", (e) => e.detail === feed && document.body.contains(box) && load());
  await load();
  return box;
}

async function publishDataset(me, dept) {
  const schedule = await get("/publications/schedule");
  const mine = schedule.items.filter((i) => i.available && (dept === "admin" || i.departments.includes(dept)));
  const dataset = h("select", { name: "dataset", required: true }, mine.map((i) => h("option", { value: i.dataset }, i.title)));
  const period = h("input", { name: "period", required: true, pattern: "\\d{4}(H[12]|Q[1-4]|-\\d{2}(-\\d{2})?)", placeholder: "如 2026H2、2026Q4", "data-format": "期次格式如 2026H2、2026Q4、2026-11 或 2026-11-30。" });
  const suggest = () => {
    const item = mine.find((i) => i.dataset === dataset.value);
    if (!item) return;
    period.value = item.cadence === "half_yearly" ? openPeriods()[0] : item.cadence === "quarterly" ? currentQuarter() : item.cadence === "continuous" ? inputDate(0) : inputDate(0).slice(0, 7);
  };
  dataset.addEventListener("change", suggest);
  suggest();
  const result = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-grid" }, field("数据集", dataset), field("期次", period, { hint: "半年 YYYYH1/H2，季度 YYYYQ1–Q4，月 YYYY-MM，持续发布用日期。再次发布同一期次会生成新版本。" })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "冻结并发布")),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!checkForm(form)) return;
    try {
      const p = await post("/publications", { dataset: dataset.value, period: period.value.trim() });
      mount(result, notice(`已发布 ${label("dataset", p.dataset)} ${periodName(p.period)} 第 ${p.version} 版：${num(p.row_count)} 行。`), h("p", {}, h("a", { href: `#/publications/${p.id}` }, "查看发布与下载")));
    } catch (error) {
      showProblem(form, error);
    }
  });
  const due = mine.filter((i) => i.overdue);
  return h(
    "div",
    {},
    h("h2", {}, "发布数据集"),
    due.length ? h("p", { class: "notice notice-warn" }, `已逾期：${due.map((i) => `${i.title}（${periodName(i.next_period)}，应于 ${i.next_due_date} 前发布）`).join("；")}`) : null,
    mine.length ? form : h("p", {}, "本部门没有负责发布的数据集。"),
  );
}

async function submissions() {
  const [current, previous] = openPeriods();
  const period = h("select", { name: "period", "aria-label": "期次" }, [current, previous].map((p) => h("option", { value: p }, periodName(p))));
  const body = h("div", {});
  const load = () =>
    section(body, async () => {
      const s = await get("/publications/schedule/colleges", { period: period.value });
      const missing = s.colleges.filter((c) => !c.submitted);
      return [
        h("p", {}, `${periodName(s.period)}：已报送 ${s.submitted_count} 所，未报送 `, h("strong", { class: missing.length ? "warn" : "" }, `${s.missing_count} 所`), "。"),
        table(
          [
            { title: "院校", cell: (c) => c.name },
            { title: "报送情况", cell: (c) => (c.submitted ? h("span", { class: "badge badge-ok" }, `已报送 第 ${c.version} 版`) : h("span", { class: "badge badge-overdue" }, "未报送")) },
            { title: "报送时间", cell: (c) => date(c.submitted_at) },
            { title: "行数", num: true, cell: (c) => num(c.row_count) },
            { title: "在校生", num: true, cell: (c) => num(c.headcount) },
          ],
          [...missing, ...s.colleges.filter((c) => c.submitted)],
        ),
      ];
    });
  period.addEventListener("change", load);
  const out = h("div", {}, h("div", { class: "panel-head" }, h("h2", {}, "院校报送情况"), period), body);
  await load();
  return out;
}
