/** Where the operator's theme choice is kept; without one the system preference decides. */
export const THEME_STORAGE_KEY = 'kiln-theme';

export type Theme = 'light' | 'dark';

/**
 * Runs in <head> before the first paint, so a dark-theme page never flashes light: reads the
 * stored choice (else the system preference) and sets the `dark` class on <html>.
 */
export const THEME_SCRIPT = `(function(){try{var s=localStorage.getItem('${THEME_STORAGE_KEY}');var d=s==='dark'||(s!=='light'&&window.matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;
