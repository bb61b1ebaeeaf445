import 'server-only';

type Hook = (status: number) => Promise<void> | void;
const hooks = new WeakMap<Request, Hook[]>();

/**
 * Runs `hook` with the answer's status once the route has answered `request` (route() in
 * respond.ts calls them): for what depends on how the request ended, like a limit that a 409
 * must not use up.
 */
export function onResponse(request: Request, hook: Hook): void {
  const list = hooks.get(request);
  if (list) list.push(hook);
  else hooks.set(request, [hook]);
}

/** Runs the request's hooks in order; one failing does not stop the others (the first error is rethrown after). */
export async function runResponseHooks(request: Request, status: number): Promise<void> {
  const list = hooks.get(request);
  if (!list) return;
  hooks.delete(request);
  let first: unknown;
  for (const hook of list) {
    try {
      await hook(status);
    } catch (error) {
      first ??= error;
    }
  }
  if (first) throw first;
}
