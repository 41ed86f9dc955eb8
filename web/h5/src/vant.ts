// Vant, tree-shaken: each component and its own CSS imported one by one (never the
// whole library), so the first load stays small.
import type { App } from 'vue'
import { Button, Cell, CellGroup, Dialog, Empty, Field, Form, List, Loading, NavBar, NoticeBar, Switch, Tag, Toast, Locale } from 'vant'
import 'vant/es/button/style/index.mjs'
import 'vant/es/cell/style/index.mjs'
import 'vant/es/cell-group/style/index.mjs'
import 'vant/es/dialog/style/index.mjs'
import 'vant/es/empty/style/index.mjs'
import 'vant/es/field/style/index.mjs'
import 'vant/es/form/style/index.mjs'
import 'vant/es/list/style/index.mjs'
import 'vant/es/loading/style/index.mjs'
import 'vant/es/nav-bar/style/index.mjs'
import 'vant/es/notice-bar/style/index.mjs'
import 'vant/es/switch/style/index.mjs'
import 'vant/es/tag/style/index.mjs'
import 'vant/es/toast/style/index.mjs'
import enUS from 'vant/es/locale/lang/en-US.mjs'
import zhCN from 'vant/es/locale/lang/zh-CN.mjs'
import type { Locale as AppLocale } from '@shared/i18n'

export function useVant(app: App): void {
  for (const c of [Button, Cell, CellGroup, Dialog, Empty, Field, Form, List, Loading, NavBar, NoticeBar, Switch, Tag, Toast]) app.use(c)
}

export function vantLocale(l: AppLocale): void {
  Locale.use(l, l === 'en-US' ? enUS : zhCN)
}
