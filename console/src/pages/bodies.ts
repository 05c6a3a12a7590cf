/**
 * Each page's static frame: headings, the empty regions the client script fills from the live
 * feed, and their data-testids (listed in README.md). Scrollable regions are focusable and named,
 * so a keyboard reaches them and a screen reader announces them.
 */
import { html } from 'hono/html';

const region = (testid: string, label: string, inner = html``) =>
  html`<div class="scroll" role="region" aria-label="${label}" tabindex="0" data-testid="${testid}">${inner}</div>`;

export const nowBody = () => html`
<p class="lede">What the site is doing this minute: traffic, open sessions and the funnel of the last 15 minutes.</p>
<section class="tiles" aria-label="Headline figures">
  <div class="panel tile"><div class="label" id="l-open">Open sessions</div><div class="value" data-testid="stat-open-sessions" aria-labelledby="l-open">–</div></div>
  <div class="panel tile"><div class="label" id="l-vis">Visitors</div><div class="value" data-testid="stat-visitors" aria-labelledby="l-vis">–</div></div>
  <div class="panel tile"><div class="label" id="l-eps">Events / s</div><div class="value" data-testid="stat-events-per-second" aria-labelledby="l-eps">–</div></div>
</section>
<div class="grid">
  <section class="panel" aria-labelledby="h-eps">
    <h2 id="h-eps">Events per second by type</h2>
    <div class="chart" data-testid="events-chart" role="img" aria-label="Events per second by type over the last minutes"></div>
    ${region('events-by-type', 'Events per second by type, table')}
  </section>
  <section class="panel" aria-labelledby="h-funnel">
    <h2 id="h-funnel">Funnel per minute, last 15 minutes</h2>
    <div class="chart" data-testid="funnel-chart" role="img" aria-label="Visitors per funnel step per minute"></div>
    ${region('funnel-table', 'Funnel steps and conversion, table')}
  </section>
</div>
<section class="panel mt" aria-labelledby="h-seg">
  <h2 id="h-seg">By traffic source and device</h2>
  ${region('funnel-segments', 'Funnel by traffic source and device, table')}
</section>`;

export const sessionsBody = () => html`
<p class="lede">Open sessions as the pipeline and the edge see them, most recently active first. Pick one to follow it.</p>
<p data-testid="sessions-count" class="muted">Waiting for the first reading…</p>
<ul class="session-list" data-testid="session-list" aria-label="Open sessions"></ul>`;

export const sessionBody = () => html`
<p class="lede"><a href="/sessions">← All open sessions</a></p>
<div data-testid="session-detail">
  <p class="muted">Waiting for the first reading…</p>
</div>`;

export const experimentsBody = () => html`
<p class="lede">Per experiment: variants with exposures, conversions and rates with 95% intervals, and the lift with its always-valid interval as it narrows.</p>
<div data-testid="experiment-list" class="grid-1"><p class="muted">Waiting for the first reading…</p></div>`;

export const rulesBody = () => html`
<p class="lede">The rules document the edge decides with, and how often each rule fired in the last 15 minutes.</p>
<div data-testid="rules-error-slot"></div>
<div class="grid">
  <section class="panel" aria-labelledby="h-fires">
    <h2 id="h-fires">Rule fires, last 15 minutes</h2>
    <div class="chart" data-testid="rule-fires-chart" role="img" aria-label="Rule fires per minute"></div>
    ${region('rule-fires', 'Rule fires, table')}
  </section>
  <section class="panel" aria-labelledby="h-doc">
    <h2 id="h-doc">Document in force</h2>
    <dl class="facts"><dt>Version</dt><dd data-testid="rules-version">–</dd><dt>Source</dt><dd data-testid="rules-source">–</dd></dl>
    <h3>Document</h3>
    <pre class="doc" data-testid="rules-document" tabindex="0" aria-label="Rules document in force">–</pre>
  </section>
</div>`;

export const healthBody = () => html`
<p class="lede">Whether the pipeline keeps up: each part's degradation level, lag per stage and partition, Kafka produce latency, and what the edge reports.</p>
<section class="tiles" aria-label="Headline figures">
  <div class="panel tile"><div class="label" id="l-prod">Produce latency p50 / p99, last minute</div><div class="value" data-testid="produce-latency" aria-labelledby="l-prod">–</div></div>
  <div class="panel tile"><div class="label" id="l-out">Edge outbox depth</div><div class="value" data-testid="outbox-depth" aria-labelledby="l-out">–</div></div>
  <div class="panel tile"><div class="label" id="l-dec">Edge decide p50 / p99, last minute</div><div class="value" data-testid="decide-latency" aria-labelledby="l-dec">–</div></div>
</section>
<section class="panel degradation" aria-labelledby="h-deg">
  <h2 id="h-deg">Degradation levels</h2>
  ${region('degradation', 'Degradation level of each part, table')}
  <p class="chart-note">full → popularity (recommendations from popularity) → live_only (no profile reads) → data_only (no decisions; every event still taken). The edge decides at the worst of its own level and the collector's and pipeline's.</p>
</section>
<div class="grid">
  <section class="panel" aria-labelledby="h-lag">
    <h2 id="h-lag">Pipeline lag (records behind)</h2>
    <div class="chart" data-testid="lag-chart" role="img" aria-label="Pipeline lag per stage over time"></div>
    ${region('lag-table', 'Lag per stage, topic and partition, table')}
  </section>
  <section class="panel" aria-labelledby="h-lat">
    <h2 id="h-lat">Latency (ms)</h2>
    <div class="chart" data-testid="produce-chart" role="img" aria-label="Collector produce latency over time"></div>
    <p class="chart-note">Collector → Kafka acknowledgement, p50 and p99 per scrape.</p>
    <div class="chart" data-testid="decide-chart" role="img" aria-label="Edge decide latency over time"></div>
    <p class="chart-note">Edge decision time, p50 and p99 per scrape, as the edge reports it.</p>
  </section>
</div>`;

export const peopleBody = (kind: string, id: string) => html`
<p class="lede">Look up a user or a device: profile, devices, sessions, affinities and the recommendations it would get now.</p>
<form class="inline panel" data-testid="people-search" role="search" action="/people" method="get">
  <label for="people-kind">Kind
    <select id="people-kind" name="kind" data-testid="people-kind">
      <option value="user"${kind === 'user' ? html` selected` : ''}>User id</option>
      <option value="device"${kind === 'device' ? html` selected` : ''}>Device (anonymous id)</option>
    </select>
  </label>
  <label for="people-id">Id
    <input id="people-id" name="id" value="${id}" required maxlength="256" autocomplete="off" data-testid="people-id">
  </label>
  <button class="primary" type="submit" data-testid="people-submit">Look up</button>
</form>
<div data-testid="person" aria-live="polite"></div>
<dialog data-testid="erase-dialog" aria-labelledby="erase-title">
  <h2 id="erase-title">Erase this user?</h2>
  <p>Erasing removes <strong data-testid="erase-who"></strong> everywhere: edge objects, the online store, and tombstones on the topics. It cannot be undone.</p>
  <form method="dialog" class="inline">
    <button type="submit" value="cancel" data-testid="erase-cancel" autofocus>Cancel</button>
    <button type="submit" value="erase" class="danger" data-testid="erase-confirm">Erase user</button>
  </form>
</dialog>`;
