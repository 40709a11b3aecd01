// tsyringe needs the Reflect metadata API present before it loads: every file that uses the
// container or its decorators imports them from here, so the order can never be wrong.
import 'reflect-metadata';

export { container, inject, injectable, Lifecycle } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';
