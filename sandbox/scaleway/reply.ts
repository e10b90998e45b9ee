/**
 * Writes answers the way Scaleway does. The content type is exactly `application/json`, without
 * a charset: the Scaleway SDK parses a body as JSON only on that exact value.
 */
import type { Response } from 'express';

export function replyJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

export function replyText(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Content-Type', 'text/plain');
  res.end(body);
}

/** 204 with the JSON content type production sends even without a body. */
export function replyNoContent(res: Response): void {
  res.status(204).setHeader('Content-Type', 'application/json');
  res.end();
}
