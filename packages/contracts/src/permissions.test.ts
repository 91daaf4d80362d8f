import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousPermissions, checkPermission, permissions, principalCan, roles, type Permission, type Principal } from './permissions.ts';

// Written out by hand from the permission table in docs/architecture.md, not computed from `permissions`:
// a change to the table that is not also made here fails this test. Anonymous visitors may read
// the catalog and nothing else; customers read the catalog and read and place their own orders;
// admins may do everything.
const expected: Record<'anonymous' | 'customer' | 'admin', Record<Permission, boolean>> = {
  anonymous: {
    'products:read': true,
    'products:write': false,
    'orders:read': false,
    'orders:write': false,
    'users:read': false,
    'users:write': false,
    'analytics:read': false,
    'checkout:manage': false,
    'payments:manage': false,
    'webhooks:manage': false,
    'audit:read': false,
  },
  customer: {
    'products:read': true,
    'products:write': false,
    'orders:read': true,
    'orders:write': true,
    'users:read': false,
    'users:write': false,
    'analytics:read': false,
    'checkout:manage': false,
    'payments:manage': false,
    'webhooks:manage': false,
    'audit:read': false,
  },
  admin: {
    'products:read': true,
    'products:write': true,
    'orders:read': true,
    'orders:write': true,
    'users:read': true,
    'users:write': true,
    'analytics:read': true,
    'checkout:manage': true,
    'payments:manage': true,
    'webhooks:manage': true,
    'audit:read': true,
  },
};

// The seed's seven, checkout:manage (issue 20: the admin configures shipping, tax and promotions) and
// payments:manage (issue 20: admins mark manual payments paid and refund), webhooks:manage (issue 21:
// admins register webhook endpoints and read their delivery log), audit:read (issue 21: admins search
// the audit log).
const seedPermissions = [
  'products:read',
  'products:write',
  'orders:read',
  'orders:write',
  'users:read',
  'users:write',
  'analytics:read',
  'checkout:manage',
  'payments:manage',
  'webhooks:manage',
  'audit:read',
] as const;

const principals: Record<keyof typeof expected, Principal> = {
  anonymous: { kind: 'anonymous' },
  customer: { kind: 'user', userId: 'u1', role: 'customer', sessionId: 's1' },
  admin: { kind: 'user', userId: 'u2', role: 'admin', sessionId: 's2' },
};

test('the table names exactly the seed permissions, checkout:manage, payments:manage, webhooks:manage, audit:read and the two roles', () => {
  assert.deepEqual(Object.keys(permissions).sort(), [...seedPermissions].sort());
  assert.deepEqual([...roles], ['customer', 'admin']);
});

for (const [who, row] of Object.entries(expected) as Array<[keyof typeof expected, Record<Permission, boolean>]>) {
  test(`${who}: ${seedPermissions.map((p) => `${p} ${row[p] ? 'yes' : 'no'}`).join(', ')}`, () => {
    for (const permission of seedPermissions) {
      assert.equal(principalCan(principals[who], permission), row[permission], `${who} × ${permission}`);
    }
  });
}

test('checkPermission answers for signed-in roles as principalCan does for users', () => {
  for (const role of ['customer', 'admin'] as const) {
    for (const permission of seedPermissions) assert.equal(checkPermission({ role }, permission), expected[role][permission], `${role} × ${permission}`);
  }
});

test('anonymous visitors hold only products:read', () => {
  assert.deepEqual([...anonymousPermissions], ['products:read']);
});
