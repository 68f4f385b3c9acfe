import { describe, expect, it } from 'vitest';
import { readAllowedOrigins } from './allowedOrigins.ts';
import { headersFile, SPA_CONTENT_SECURITY_POLICY } from './securityPolicy.ts';

describe('readAllowedOrigins', () => {
  it('reads origins separated by commas or spaces, and the hosts they name', () => {
    const allowed = readAllowedOrigins('http://127.0.0.1:8787, http://localhost:8787  https://audiences.example.com/');
    expect([...allowed.origins]).toEqual(['http://127.0.0.1:8787', 'http://localhost:8787', 'https://audiences.example.com']);
    expect([...allowed.hosts]).toEqual(['127.0.0.1:8787', 'localhost:8787', 'audiences.example.com']);
  });

  it('refuses what is not a plain http(s) origin, and an empty setting', () => {
    for (const bad of ['audiences.example.com', 'https://audiences.example.com/app', 'ftp://x.example', 'http://x.example:80', 'http://*.example.com']) {
      expect(() => readAllowedOrigins(bad), bad).toThrow(/ALLOWED_ORIGINS/);
    }
    expect(() => readAllowedOrigins(undefined)).toThrow(/empty/);
    expect(() => readAllowedOrigins(' , ')).toThrow(/empty/);
  });
});

describe('the SPA _headers file', () => {
  it('applies the policy to every path', () => {
    const lines = headersFile().split('\n');
    expect(lines[0]).toBe('/*');
    expect(lines).toContain(`  Content-Security-Policy: ${SPA_CONTENT_SECURITY_POLICY}`);
    expect(lines).toContain('  X-Frame-Options: DENY');
    expect(lines).toContain('  X-Content-Type-Options: nosniff');
    expect(SPA_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(SPA_CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });
});
