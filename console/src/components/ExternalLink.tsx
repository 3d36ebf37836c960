import type { ReactNode } from "react";
import { safeHref } from "../format";

/**
 * A link out of the console to a URL a webhook payload gave (a pipeline, an issue on its platform).
 * Only http(s) URLs become links; any other (`javascript:`, `data:`, …) is shown as plain text, its
 * URL on hover, so a crafted payload cannot run script in the console's origin.
 */
export function ExternalLink({ url, children }: { url: string; children: ReactNode }) {
  const href = safeHref(url);
  if (!href)
    return (
      <span className="unsafe-url" title={`not an http(s) URL, so not a link: ${url}`}>
        {children}
      </span>
    );
  return (
    <a href={href} target="_blank" rel="noreferrer">
      {children}
    </a>
  );
}
