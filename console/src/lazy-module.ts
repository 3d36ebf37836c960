import { useEffect, useState } from "react";

const loaded = new Map<() => Promise<unknown>, unknown>();

/**
 * A module loaded on first use (cytoscape, chart.js), without React.lazy: React holds back the
 * reveal of a Suspense boundary by up to 300 ms, a third of a page's time budget. Undefined until
 * the module is there; then kept for every later use.
 */
export function useModule<T>(load: () => Promise<T>): T | undefined {
  const [mod, setMod] = useState(() => loaded.get(load) as T | undefined);
  useEffect(() => {
    if (mod) return;
    let live = true;
    void load().then((m) => {
      loaded.set(load, m);
      if (live) setMod(() => m);
    });
    return () => {
      live = false;
    };
  }, [load, mod]);
  return mod;
}
