/** The console's stylesheet: calm, legible, one accent; served as /assets/console.css. */
export const CONSOLE_CSS = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --ink: #1c2430; --muted: #566173; --line: #e3e7ee;
  --accent: #2f5bd3; --accent-soft: #e8eefc; --good: #1f7a4d; --warn: #8a5a00; --bad: #b42318; --bad-soft: #fdecea;
  --radius: 10px; --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 var(--font); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px;
}
.skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; top: .5rem; }
header.top { background: var(--panel); border-bottom: 1px solid var(--line); }
.top-inner { max-width: 1200px; margin: 0 auto; padding: .6rem 1rem; display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
.brand { font-weight: 650; letter-spacing: .01em; margin-right: auto; color: var(--ink); text-decoration: none; }
.brand span, .accent { color: var(--accent); }
nav.pages ul { list-style: none; margin: 0; padding: 0; display: flex; gap: .25rem; flex-wrap: wrap; }
nav.pages a { display: block; padding: .35rem .7rem; border-radius: 999px; color: var(--muted); text-decoration: none; }
nav.pages a:hover { background: var(--accent-soft); color: var(--ink); }
nav.pages a[aria-current="page"] { background: var(--accent); color: #fff; }
.live { font-size: .85rem; color: var(--muted); display: inline-flex; align-items: center; gap: .4rem; }
.live::before { content: ""; width: .55rem; height: .55rem; border-radius: 50%; background: #9aa3b2; }
.live[data-state="live"]::before { background: var(--good); }
.live[data-state="lost"]::before { background: var(--bad); }
button, .button { font: inherit; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); color: var(--ink); padding: .4rem .9rem; cursor: pointer; min-height: 2.25rem; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
button:hover { filter: brightness(.96); }
.mt { margin-top: 1rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; font-weight: 650; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; font-weight: 620; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; font-weight: 600; }
.lede { color: var(--muted); margin: -.5rem 0 1.25rem; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 340px), 1fr)); }
.tiles { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); margin-bottom: 1rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; min-width: 0; }
.tile .label { color: var(--muted); font-size: .85rem; }
.tile .value { font-size: 1.9rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .value.words { font-size: 1.15rem; font-weight: 600; color: var(--muted); padding-top: .55rem; }
.chart { width: 100%; min-height: 220px; }
.chart-note { color: var(--muted); font-size: .85rem; margin: .25rem 0 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: .85rem; padding-bottom: .4rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.num, th.num { text-align: right; }
.chips { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; list-style: none; }
.chip { background: var(--accent-soft); border-radius: 999px; padding: .1rem .6rem; font-size: .85rem; }
.chip.risk-high { background: var(--bad-soft); color: var(--bad); }
.muted { color: var(--muted); }
.degradation { margin-bottom: 1rem; }
.level { font-weight: 600; }
.level-popularity, .level-live_only { color: #6b4300; }
.level-data_only { color: var(--bad); }
.mono { font-family: var(--mono); font-size: .85rem; word-break: break-all; }
.problems { border: 1px solid #f1c48b; background: #fff7ea; color: #6b4300; border-radius: var(--radius); padding: .6rem 1rem; margin-bottom: 1rem; }
.problems[hidden] { display: none; }
.problems ul { margin: .25rem 0 0; padding-left: 1.2rem; }
.alarm { border: 2px solid var(--bad); background: var(--bad-soft); color: var(--bad); border-radius: var(--radius); padding: .75rem 1rem; font-weight: 600; margin: .5rem 0 1rem; }
.notice { border: 1px solid var(--line); background: var(--accent-soft); border-radius: var(--radius); padding: .75rem 1rem; }
.session-list { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
.session-row { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: .75rem 1.5rem; }
.session-row .who a { font-weight: 600; }
.session-row dl, .facts { display: grid; grid-template-columns: auto 1fr; gap: .15rem .75rem; margin: .25rem 0 0; font-size: .9rem; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.decisions { list-style: none; padding: 0; margin: 0; display: grid; gap: .4rem; }
.decisions li { border-left: 3px solid var(--accent); padding: .15rem .6rem; background: #fafbfd; }
.meter { display: inline-block; width: 4.5rem; height: .5rem; background: var(--line); border-radius: 999px; vertical-align: middle; margin-right: .4rem; overflow: hidden; }
.meter > span { display: block; height: 100%; background: var(--accent); }
pre.doc { background: #0f1720; color: #e6edf3; padding: 1rem; border-radius: var(--radius); overflow: auto; max-height: 28rem; font: .85rem/1.45 var(--mono); }
form.inline { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
label { display: grid; gap: .25rem; font-size: .9rem; color: var(--muted); }
input, select { font: inherit; padding: .45rem .6rem; border: 1px solid #b8c0cc; border-radius: 8px; background: #fff; color: var(--ink); min-height: 2.25rem; }
dialog { border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem; max-width: min(92vw, 28rem); }
dialog::backdrop { background: rgba(15, 23, 32, .45); }
.login { max-width: 24rem; margin: 12vh auto; }
.login form { display: grid; gap: .9rem; }
.error { color: var(--bad); }
.good { color: var(--good); }
.swatch { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .35rem; vertical-align: baseline; }
@media (max-width: 640px) {
  .top-inner { gap: .5rem; }
  nav.pages { order: 3; width: 100%; }
  nav.pages ul { flex-wrap: nowrap; overflow-x: auto; padding-bottom: .15rem; }
  nav.pages a { white-space: nowrap; }
  .session-row { grid-template-columns: 1fr; }
  .tile .value { font-size: 1.5rem; }
  h1 { font-size: 1.3rem; }
  main { padding: 1rem .75rem 2.5rem; }
}
`;
