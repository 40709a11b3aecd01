// Everything the report interpolates into its page goes through one of these.

/** Text or an attribute value in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON to put inside `<script type="application/json">`: every `<` is written `\u003c`, so no
 * `</script>` or `<!--` in a string can end or change the element. U+2028 and U+2029 are escaped too.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Code or a stylesheet to put inside `<script>` or `<style>` as it is. Refuses text the HTML parser
 * would read differently (an end tag of the element, a comment opener), rather than guess a rewrite.
 */
export function rawText(element: 'script' | 'style', text: string, what: string): string {
  const unsafe = new RegExp(`</${element}|<!--`, 'i').exec(text);
  if (unsafe !== null) {
    throw new Error(`Cannot inline ${what} in a <${element}> element: it contains ${JSON.stringify(unsafe[0])} at offset ${unsafe.index}.`);
  }
  return text;
}
