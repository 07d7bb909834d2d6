// Small DOM helpers, Chinese labels, states (loading, empty, error), forms and charts.

/** h("a", {href: "#/"}, "首页"): an element; children are nodes or text (never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const LABELS = {
  level: { secondary: "中职", higher: "高职专科", undergraduate: "职业本科" },
  status: {
    draft: "草稿",
    published: "已发布",
    withdrawn: "已撤回",
    open: "征集中",
    paused: "已暂停",
    closed: "已关闭",
    pending: "待审核",
    approved: "已批准",
    suspended: "已暂停",
    accepted: "已接受",
    declined: "已拒绝",
    scheduled: "已排期",
    cancelled: "已取消",
  },
  techKind: { tech_info: "科技信息", school_locality_project: "校地合作项目" },
  coopKind: {
    order_class: "订单班",
    modern_apprenticeship: "现代学徒制",
    enterprise_apprenticeship: "企业新型学徒制",
    industry_college: "产业学院",
    training_base: "实训基地",
    tech_service: "技术服务",
    other: "其他",
  },
  size: { large: "大型", medium: "中型", small: "小型", micro: "微型" },
  integration: { none: "—", municipal: "市级", provincial: "省级", national: "国家级" },
  targetGroup: {
    transferred_workers: "转岗职工",
    unenrolled_graduates: "未升学毕业生",
    veterans: "退役军人",
    migrant_workers: "农民工",
    unemployed: "失业人员",
    sme_employees: "中小微企业职工",
    disabled: "残疾人",
  },
  demandKind: {
    employment: "就业",
    internship: "实习",
    apprenticeship: "学徒",
    order_class: "订单班",
    pre_job_training: "岗前培训",
  },
  closeReason: {
    filled_via_platform: "已通过平台招满",
    filled_elsewhere: "已通过其他渠道招满",
    cancelled: "取消",
    expired: "已过期",
  },
  orgType: { government: "政府部门", enterprise: "企业", college: "职业院校", training_institution: "培训机构" },
  department: { education: "教育局", hr: "人社局", tech: "科技局", industry: "工信局", finance: "财政局", development: "发改委", other: "其他部门" },
  cadence: { half_yearly: "每半年", quarterly: "每季度", monthly: "每月", continuous: "持续" },
  factor: { major: "专业", level: "层次", graduation_year: "毕业年份", place: "地点", coverage: "人数覆盖" },
  dataset: {
    student_distribution: "职业院校学生专业分布",
    social_service_projects: "社会服务（技能培训）项目",
    enterprise_directory: "企业名录",
    cooperation_projects: "校企合作项目",
    tech_projects: "科技信息与校地合作项目",
  },
};

export const label = (group, value) => (value == null || value === "" ? "—" : (LABELS[group] || {})[value] || value);

export function options(group, { blank } = {}) {
  const list = Object.entries(LABELS[group]).map(([value, text]) => h("option", { value }, text));
  return blank !== undefined ? [h("option", { value: "" }, blank), ...list] : list;
}

export function badge(status) {
  return h("span", { class: `badge badge-${status}` }, label("status", status));
}

const numberFormat = new Intl.NumberFormat("zh-CN");
export const num = (n) => (n == null ? "—" : numberFormat.format(n));

const DATE_TIME = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
export function date(value) {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const parts = Object.fromEntries(DATE_TIME.formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export const day = (value) => (value ? date(value).slice(0, 10) : "—");

/** "2026H2" → "2026年下半年" */
export function periodName(period) {
  if (!period) return "—";
  const m = /^(\d{4})H([12])$/.exec(period);
  if (m) return `${m[1]}年${m[2] === "1" ? "上" : "下"}半年`;
  const q = /^(\d{4})Q([1-4])$/.exec(period);
  if (q) return `${q[1]}年第${q[2]}季度`;
  return period;
}

/** Weihai's half-year of today and the one before: the periods a college may submit for. */
export function openPeriods(now = new Date()) {
  const local = new Date(now.getTime() + 8 * 3600 * 1000);
  const year = local.getUTCFullYear();
  const half = local.getUTCMonth() < 6 ? 1 : 2;
  const current = `${year}H${half}`;
  const previous = half === 2 ? `${year}H1` : `${year - 1}H2`;
  return [current, previous];
}

export function currentQuarter(now = new Date()) {
  const local = new Date(now.getTime() + 8 * 3600 * 1000);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

export const loading = (text = "正在加载…") => h("p", { class: "state state-loading", role: "status" }, text);
export const empty = (text = "暂无数据。") => h("p", { class: "state state-empty" }, text);

export function errorBox(error) {
  const text = (error && error.message) || "出错了，请稍后再试。";
  const id = error && error.problem && error.problem.request_id;
  return h("div", { class: "state state-error", role: "alert" }, h("strong", {}, "出错了："), text, id ? h("small", {}, ` 请求编号 ${id}`) : null);
}

/** Fill `el` with what `load()` makes, showing loading and error states meanwhile. */
export async function section(el, load) {
  mount(el, loading());
  try {
    mount(el, await load());
  } catch (error) {
    mount(el, errorBox(error));
    if (!(error && error.status !== undefined)) console.warn(error);
  }
}

const cellClass = (c) => [c.num && "num", c.nowrap && "nowrap", c.wide && "wide"].filter(Boolean).join(" ") || null;

/** A table: columns [{title, cell: (row) => node|text, num?, nowrap?, wide?}] */
export function table(columns, rows, { caption, emptyText } = {}) {
  if (!rows.length) return empty(emptyText);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: cellClass(c) }, c.title)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: cellClass(c), "data-label": c.title }, c.cell(row)))))),
    ),
  );
}

export function pager(page, go) {
  const { total, limit, offset } = page;
  if (total <= limit) return h("p", { class: "pager-note" }, `共 ${num(total)} 条`);
  const at = Math.floor(offset / limit) + 1;
  const pages = Math.ceil(total / limit);
  return h(
    "nav",
    { class: "pager", "aria-label": "分页" },
    h("button", { type: "button", class: "btn", disabled: offset === 0, onclick: () => go(offset - limit) }, "上一页"),
    h("span", {}, `第 ${at} / ${pages} 页，共 ${num(total)} 条`),
    h("button", { type: "button", class: "btn", disabled: offset + limit >= total, onclick: () => go(offset + limit) }, "下一页"),
  );
}

let fieldSeq = 0;
/** A labelled control; `control` is an input/select/textarea element. */
export function field(text, control, { hint, wide } = {}) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h("small", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: `field${wide ? " field-wide" : ""}` }, h("label", { for: id }, text, control.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null), control, hintEl);
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-errors").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
}

function showFieldError(form, control, message) {
  const box = control.closest(".field") || control.parentElement;
  const id = `${control.id || control.name}-error`;
  control.setAttribute("aria-invalid", "true");
  const existing = box.querySelector(".field-error");
  if (existing) existing.textContent += `；${message}`;
  else box.append(h("p", { class: "field-error", id, role: "alert" }, message));
  control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
}

/** The API's problem shown on the form: each `errors[]` next to the field its `loc` names. */
export function showProblem(form, error) {
  clearErrors(form);
  const rest = [];
  for (const e of error.errors || []) {
    const loc = (e.loc || []).filter((p) => p !== "body");
    const name = loc.find((p) => typeof p === "string");
    const control = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (control) showFieldError(form, control, e.msg);
    else rest.push(e.msg);
  }
  // A validation problem's `detail` points developers to `errors`: people read the entries.
  const summary = error.errors && error.errors.length ? "提交的内容有误，请按提示修改后重新提交。" : error.message;
  const box = h("div", { class: "form-errors state-error", role: "alert", tabindex: "-1" }, h("strong", {}, summary), rest.length ? h("ul", {}, rest.map((m) => h("li", {}, m))) : null);
  form.prepend(box);
  const first = form.querySelector("[aria-invalid]");
  (first || box).focus && (first || box).focus();
}

/** Why a control fails its constraints, in Chinese whatever the browser's language. */
function invalidText(control) {
  const v = control.validity;
  if (v.valueMissing) return control.type === "file" ? "请选择文件。" : "此项必填。";
  if (v.badInput) return "请输入有效的数字或日期。";
  if (v.tooShort) return `至少 ${control.minLength} 个字符（现有 ${control.value.length} 个）。`;
  if (v.tooLong) return `至多 ${control.maxLength} 个字符。`;
  if (v.rangeUnderflow) return `不能小于 ${control.min}。`;
  if (v.rangeOverflow) return `不能大于 ${control.max}。`;
  if (v.stepMismatch) return "请输入整数。";
  if (v.patternMismatch || v.typeMismatch) return control.dataset.format || "格式不正确。";
  return control.validationMessage;
}

/** Checks the form's own constraints (the API's limits, as HTML attributes); shows what fails. */
export function checkForm(form) {
  clearErrors(form);
  let ok = true;
  for (const control of form.querySelectorAll("input, select, textarea")) {
    if (!control.checkValidity()) {
      if (ok) control.focus();
      ok = false;
      showFieldError(form, control, invalidText(control));
    }
  }
  return ok;
}

export function notice(text, kind = "ok") {
  return h("p", { class: `notice notice-${kind}`, role: "status" }, text);
}

/** A button that runs `action`, disabled while it runs; errors shown in `target` (or an alert box after it). */
export function actionButton(text, action, { kind = "", target } = {}) {
  const button = h("button", { type: "button", class: `btn ${kind}` }, text);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      const box = errorBox(error);
      if (target) mount(target, box);
      else button.after(box);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// Charts: ECharts (vendored, window.echarts); disposed when the view changes.
const charts = new Set();
const PALETTE = ["#1f4e8c", "#4f7cba", "#8fb0da", "#c0392b", "#d98c3a", "#5b8c5a", "#7a6fa8", "#9aa5b1"];
const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

export function chart(el, option) {
  const instance = window.echarts.init(el, null, { renderer: "svg" });
  instance.setOption({ color: PALETTE, textStyle: { fontFamily: FONT }, animation: false, ...option });
  charts.add(instance);
  return instance;
}

export function disposeCharts() {
  for (const c of charts) c.dispose();
  charts.clear();
}

window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

/** A horizontal bar chart of `items` ({name, value}) in a figure with a caption. */
export function barFigure(title, items, { series, height } = {}) {
  const box = h("div", { class: "chart", role: "img", "aria-label": title });
  const names = items.map((i) => i.name);
  const figure = h("figure", { class: "figure" }, h("figcaption", {}, title), box);
  const rows = Math.max(items.length, 3);
  box.style.height = `${height || Math.min(60 + rows * 28, 640)}px`;
  requestAnimationFrame(() =>
    chart(box, {
      grid: { left: 8, right: 48, top: series && series.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: series && series.length > 1 ? { top: 0 } : undefined,
      xAxis: { type: "value", splitLine: { lineStyle: { color: "#e5e9ef" } } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: (series || [{ name: title, key: "value" }]).map((s) => ({
        name: s.name,
        type: "bar",
        barMaxWidth: 18,
        label: { show: true, position: "right", color: "#333" },
        data: items.map((i) => i[s.key]),
      })),
    }),
  );
  return figure;
}

export function pieFigure(title, items) {
  const box = h("div", { class: "chart chart-pie", role: "img", "aria-label": title });
  requestAnimationFrame(() => {
    const narrow = box.clientWidth < 420; // a phone: the numbers inside the ring
    chart(box, {
      tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], label: narrow ? { position: "inside", formatter: "{c}", color: "#fff" } : { formatter: "{b}\n{c} 人" }, data: items }],
    });
  });
  return h("figure", { class: "figure" }, h("figcaption", {}, title), box);
}
