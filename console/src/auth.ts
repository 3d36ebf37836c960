// The API token lives in sessionStorage (contract §11: kept for the browser session): it survives a
// reload, not the closing of the tab, and other tabs sign in on their own.
const KEY = "switchyard.token";

export const getToken = (): string | null => sessionStorage.getItem(KEY);
export const setToken = (token: string) => sessionStorage.setItem(KEY, token);
export const clearToken = () => sessionStorage.removeItem(KEY);
