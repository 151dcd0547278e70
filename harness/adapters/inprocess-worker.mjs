// Pool worker entry for the in-process adapters. Workers do not inherit the parent's
// TypeScript loader, so this plain-JS file registers tsx before loading the task.
import { register } from 'tsx/esm/api';

register();
const { default: task } = await import('./inprocess-task.ts');
export default task;
