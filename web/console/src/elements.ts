// Element Plus, one component (and its CSS) at a time.
import type { App } from 'vue'
import {
  ElAlert, ElAside, ElButton, ElConfigProvider, ElContainer, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElMain,
  ElMenu, ElMenuItem, ElTable, ElTableColumn, ElTag,
} from 'element-plus'
import 'element-plus/es/components/alert/style/css.mjs'
import 'element-plus/es/components/aside/style/css.mjs'
import 'element-plus/es/components/button/style/css.mjs'
import 'element-plus/es/components/config-provider/style/css.mjs'
import 'element-plus/es/components/container/style/css.mjs'
import 'element-plus/es/components/empty/style/css.mjs'
import 'element-plus/es/components/form/style/css.mjs'
import 'element-plus/es/components/form-item/style/css.mjs'
import 'element-plus/es/components/header/style/css.mjs'
import 'element-plus/es/components/input/style/css.mjs'
import 'element-plus/es/components/main/style/css.mjs'
import 'element-plus/es/components/menu/style/css.mjs'
import 'element-plus/es/components/menu-item/style/css.mjs'
import 'element-plus/es/components/table/style/css.mjs'
import 'element-plus/es/components/table-column/style/css.mjs'
import 'element-plus/es/components/tag/style/css.mjs'

export function useElements(app: App): void {
  for (const c of [ElAlert, ElAside, ElButton, ElConfigProvider, ElContainer, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElMain, ElMenu, ElMenuItem, ElTable, ElTableColumn, ElTag]) {
    app.use(c)
  }
}
