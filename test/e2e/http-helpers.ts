import { expect } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Response } from 'supertest';

/** Sends a preflight: OPTIONS with Origin and Access-Control-Request-Method (and headers, if given). */
export function preflight(
  app: INestApplication,
  path: string,
  origin: string,
  method: string,
  extra: Record<string, string> = {},
) {
  const req = request(app.getHttpServer())
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method);
  for (const [name, value] of Object.entries(extra)) req.set(name, value);
  return req;
}

/** The Access-Control-* headers of a response. */
export function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers as Record<string, string>).filter(([name]) => name.startsWith('access-control-')),
  );
}

export function expectNoCorsHeaders(res: Response): void {
  expect(corsHeaders(res)).toEqual({});
}

/** The names in a response's Vary header, in order. */
export function varyOf(res: Response): string[] {
  const vary = res.headers['vary'] as string | undefined;
  return vary ? vary.split(',').map((name) => name.trim()) : [];
}
