/** An error that becomes a JSON `{"error": message}` answer; `reason` labels the rejection metric. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

export const badSignature = (what = "signature does not match") => new HttpError(401, what, "bad_signature");
export const expired = (what: string) => new HttpError(401, what, "expired");
export const missingHeader = (name: string) => new HttpError(400, `missing header ${name}`, "missing_header");
export const malformed = (what: string) => new HttpError(400, what, "malformed");
