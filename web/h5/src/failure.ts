// A page's last failure, shown as text on the page in the current language.
import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorText } from '@shared/messages'

export function useFailure() {
  const { locale } = useI18n()
  const err = ref<unknown>(null)
  const text = computed(() => (err.value === null ? '' : errorText(err.value, locale.value)))
  return {
    err,
    text,
    clear: () => (err.value = null),
    /** run calls fn, keeping its failure for the page; answers undefined on failure. */
    async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
      err.value = null
      try {
        return await fn()
      } catch (e) {
        err.value = e
        return undefined
      }
    },
  }
}
