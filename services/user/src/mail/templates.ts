import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const shippedDir = fileURLToPath(new URL('./templates/', import.meta.url));

/** An email ready for a transport: both bodies and the subject. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Fills `{{name}}` placeholders from `values`. A placeholder without a value throws: an email with a
 * hole in it (a link missing) must fail and wait in the outbox, not go out.
 */
function fill(template: string, values: Record<string, unknown>, encode: (value: string) => string): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined || value === null) throw new Error(`the template needs a value for {{${key}}}`);
    return encode(String(value));
  });
}

/**
 * The email templates: `<name>.subject.txt`, `<name>.txt` and `<name>.html` in the shipped folder,
 * each replaced by a file of the same name in the merchant's folder (DEMA_MAIL_TEMPLATES) when
 * there is one. Files are read at each render, so a changed template applies to the next email.
 */
export class MailTemplates {
  constructor(
    private readonly overrideDir: string | undefined,
    private readonly common: Record<string, string>,
  ) {}

  async render(name: string, data: Record<string, unknown>): Promise<RenderedEmail> {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`no email template ${name}`);
    const values = { ...this.common, ...data };
    const [subject, text, html] = await Promise.all([this.read(`${name}.subject.txt`), this.read(`${name}.txt`), this.read(`${name}.html`)]);
    return { subject: fill(subject.trim(), values, String), text: fill(text, values, String), html: fill(html, values, escapeHtml) };
  }

  private async read(file: string): Promise<string> {
    if (this.overrideDir) {
      try {
        return await readFile(path.join(this.overrideDir, file), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return readFile(path.join(shippedDir, file), 'utf8');
  }
}
