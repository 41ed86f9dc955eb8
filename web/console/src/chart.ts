// ECharts, imported piece by piece (core, bar chart, grid, tooltip, canvas): the
// totals and fee pages' chunk carries only these, and only that page loads it. The canvas
// renderer sets styles through the CSSOM, which the Content-Security-Policy
// (style-src 'self') allows; tooltips are plain text (no inline style attributes).
import { init, use, type ECharts } from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { formatFen } from '@shared/money'

use([BarChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, CanvasRenderer])

export interface Bar { day: string; fen: number; count: number }

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** drawTotals draws one bar per day (fen as integers; axis labels in yuan). */
export function drawTotals(el: HTMLElement, bars: Bar[], label: string, old?: ECharts): ECharts {
  const chart = old ?? init(el, undefined, { renderer: 'canvas' })
  chart.setOption({
    aria: { enabled: true, label: { description: label } },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis', renderMode: 'html',
      formatter: (ps: unknown) => {
        const p = (Array.isArray(ps) ? ps[0] : ps) as { dataIndex: number }
        const b = bars[p.dataIndex]
        return b ? `${escape(b.day)}<br/>${escape(formatFen(b.fen))} · ${b.count}` : ''
      },
    },
    xAxis: { type: 'category', data: bars.map((b) => b.day.slice(5)), axisLabel: { color: '#303133' } },
    yAxis: { type: 'value', minInterval: 100, axisLabel: { color: '#303133', formatter: (v: number) => formatFen(Math.round(v)) } },
    series: [{ type: 'bar', data: bars.map((b) => b.fen), itemStyle: { color: '#1a5fb4' }, barMaxWidth: 36 }],
  }, true)
  return chart
}

/** One class of a fee item: fen as integers (paid, exempted, outstanding), bills settled of all. */
export interface ClassBar { classId: string; paid: number; exempted: number; outstanding: number; settled: number; bills: number }

/**
 * drawClassTotals draws a fee item's classes as stacked bars (paid, exempted,
 * outstanding, in fen; axis labels in yuan); names are the legend's words.
 */
export function drawClassTotals(el: HTMLElement, bars: ClassBar[], names: { paid: string; exempted: string; outstanding: string; settled: string }, label: string, old?: ECharts): ECharts {
  const chart = old ?? init(el, undefined, { renderer: 'canvas' })
  const series = (name: string, key: 'paid' | 'exempted' | 'outstanding', color: string) =>
    ({ name, type: 'bar' as const, stack: 'fee', data: bars.map((b) => b[key]), itemStyle: { color }, barMaxWidth: 48 })
  chart.setOption({
    aria: { enabled: true, label: { description: label } },
    legend: { top: 0, textStyle: { color: '#303133' } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis', renderMode: 'html',
      formatter: (ps: unknown) => {
        const p = (Array.isArray(ps) ? ps[0] : ps) as { dataIndex: number }
        const b = bars[p.dataIndex]
        if (!b) return ''
        return [escape(b.classId), `${escape(names.paid)} ${escape(formatFen(b.paid))}`, `${escape(names.exempted)} ${escape(formatFen(b.exempted))}`,
          `${escape(names.outstanding)} ${escape(formatFen(b.outstanding))}`, `${escape(names.settled)} ${b.settled}/${b.bills}`].join('<br/>')
      },
    },
    xAxis: { type: 'category', data: bars.map((b) => b.classId), axisLabel: { color: '#303133' } },
    yAxis: { type: 'value', minInterval: 100, axisLabel: { color: '#303133', formatter: (v: number) => formatFen(Math.round(v)) } },
    series: [series(names.paid, 'paid', '#2e7d32'), series(names.exempted, 'exempted', '#1a5fb4'), series(names.outstanding, 'outstanding', '#c62828')],
  }, true)
  return chart
}
