// Element Plus, one component (and its CSS) at a time: the console's first load
// carries only what it uses.
import type { App } from 'vue'
import {
  ElAlert, ElAside, ElButton, ElCard, ElCheckbox, ElConfigProvider, ElContainer, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElDrawer, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElMain, ElMenu, ElMenuItem, ElOption, ElRadio,
  ElRadioGroup, ElSelect, ElSwitch, ElTable, ElTableColumn, ElTag,
} from 'element-plus'
import 'element-plus/es/components/alert/style/css.mjs'
import 'element-plus/es/components/aside/style/css.mjs'
import 'element-plus/es/components/button/style/css.mjs'
import 'element-plus/es/components/card/style/css.mjs'
import 'element-plus/es/components/checkbox/style/css.mjs'
import 'element-plus/es/components/config-provider/style/css.mjs'
import 'element-plus/es/components/container/style/css.mjs'
import 'element-plus/es/components/descriptions/style/css.mjs'
import 'element-plus/es/components/descriptions-item/style/css.mjs'
import 'element-plus/es/components/dialog/style/css.mjs'
import 'element-plus/es/components/drawer/style/css.mjs'
import 'element-plus/es/components/empty/style/css.mjs'
import 'element-plus/es/components/form/style/css.mjs'
import 'element-plus/es/components/form-item/style/css.mjs'
import 'element-plus/es/components/header/style/css.mjs'
import 'element-plus/es/components/input/style/css.mjs'
import 'element-plus/es/components/main/style/css.mjs'
import 'element-plus/es/components/menu/style/css.mjs'
import 'element-plus/es/components/menu-item/style/css.mjs'
import 'element-plus/es/components/message/style/css.mjs'
import 'element-plus/es/components/message-box/style/css.mjs'
import 'element-plus/es/components/option/style/css.mjs'
import 'element-plus/es/components/radio/style/css.mjs'
import 'element-plus/es/components/radio-group/style/css.mjs'
import 'element-plus/es/components/select/style/css.mjs'
import 'element-plus/es/components/switch/style/css.mjs'
import 'element-plus/es/components/table/style/css.mjs'
import 'element-plus/es/components/table-column/style/css.mjs'
import 'element-plus/es/components/tag/style/css.mjs'

export function useElements(app: App): void {
  for (const c of [
    ElAlert, ElAside, ElButton, ElCard, ElCheckbox, ElConfigProvider, ElContainer, ElDescriptions, ElDescriptionsItem,
    ElDialog, ElDrawer, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElMain, ElMenu, ElMenuItem, ElOption, ElRadio,
    ElRadioGroup, ElSelect, ElSwitch, ElTable, ElTableColumn, ElTag,
  ]) {
    app.use(c)
  }
}
