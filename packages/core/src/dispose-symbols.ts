// `Disposable` handles in these declarations have a `[Symbol.dispose]` method. TypeScript knows
// `Symbol.dispose` and `Symbol.asyncDispose` only from `lib` "esnext.disposable" (or "esnext") or
// from @types/node, which TypeScript 6 and later load only when `types` names it; a consumer with
// neither would fail to compile these declarations (TS2550). Declared here as those do (a merge
// with theirs is allowed), they compile under any `lib`. Node has both symbols since 20.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

export {};
