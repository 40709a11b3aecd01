/** What the application holds open, closed in the reverse order of acquisition at shutdown. */
export class Resources {
  readonly #closers: { readonly name: string; readonly close: () => unknown }[] = [];

  /** Registers `close` to run at shutdown, before everything registered earlier. */
  add(name: string, close: () => unknown): void {
    this.#closers.push({ name, close });
  }

  /** Closes everything, the last acquired first; a failure is reported and the rest still closed. */
  async closeAll(onError: (name: string, error: unknown) => void = () => {}): Promise<void> {
    while (this.#closers.length > 0) {
      const { name, close } = this.#closers.pop()!;
      try {
        await close();
      } catch (error) {
        onError(name, error);
      }
    }
  }
}
