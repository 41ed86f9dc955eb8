// ECharts for the ops page, imported piece by piece (line and bar charts): only the
// ops page's chunk carries them. Series are sampled by the page's poll.
import { init, use, type ECharts } from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer])

export interface Series { name: string; values: number[] }

const axis = { axisLabel: { color: '#303133' } }

/** drawLines draws sampled series over the sample times (labels HH:MM:SS). */
export function drawLines(el: HTMLElement, times: string[], series: Series[], label: string, old?: ECharts): ECharts {
  const chart = old ?? init(el, undefined, { renderer: 'canvas' })
  chart.setOption({
    aria: { enabled: true, label: { description: label } },
    animation: false,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { color: '#303133' } },
    tooltip: { trigger: 'axis', renderMode: 'html' },
    xAxis: { type: 'category', data: times, ...axis },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, showSymbol: false })),
  }, true)
  return chart
}

/** drawBars draws one bar per label. */
export function drawBars(el: HTMLElement, labels: string[], values: number[], label: string, old?: ECharts): ECharts {
  const chart = old ?? init(el, undefined, { renderer: 'canvas' })
  chart.setOption({
    aria: { enabled: true, label: { description: label } },
    animation: false,
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'html' },
    xAxis: { type: 'category', data: labels, ...axis },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: [{ type: 'bar', data: values, itemStyle: { color: '#1a5fb4' }, barMaxWidth: 36 }],
  }, true)
  return chart
}
