import { OTHER_STRONG_PASSWORD, STRONG_PASSWORD } from '../../helpers/test-core';

import type { AreaCases } from './case';

/** The operations of the foundation: system, auth, operators, settings, audit. */
type FoundationOp =
  | 'system.info'
  | 'auth.status'
  | 'auth.setupAdmin'
  | 'auth.login'
  | 'auth.me'
  | 'operators.create'
  | 'operators.list'
  | 'operators.update'
  | 'operators.setDisabled'
  | 'operators.resetPassword'
  | 'settings.get'
  | 'settings.update'
  | 'audit.list'
  | 'audit.get'
  | 'audit.verify'
  | 'auth.changePassword'
  | 'auth.unlock'
  | 'auth.logout';

const NEW_OWN_PASSWORD = 'Ember-Orchid-Canyon-58';
const RESET_PASSWORD = 'Glacier-Meadow-Falcon-63';

const ALL: AreaCases<FoundationOp> = {
  'system.info': { invalid: { verbose: true }, valid: () => ({}) },
  'auth.status': { invalid: 'status', valid: () => ({}) },
  'auth.setupAdmin': {
    invalid: { username: '', displayName: 'Admin', password: STRONG_PASSWORD },
    valid: () => ({
      username: 'admin',
      displayName: 'Site Administrator',
      password: STRONG_PASSWORD,
    }),
    then: (session, _state, client) => client.setSession(session.token),
  },
  'auth.login': {
    invalid: { username: 'admin' },
    valid: (state) => ({ username: 'admin', password: state.password }),
    then: (session, _state, client) => client.setSession(session.token),
  },
  'auth.me': { invalid: { operatorId: 'x' }, valid: () => ({}) },
  'operators.create': {
    invalid: {
      username: 'tech1',
      displayName: 'Technician',
      password: OTHER_STRONG_PASSWORD,
      roles: [],
    },
    valid: () => ({
      username: 'tech1',
      displayName: 'First Technician',
      password: OTHER_STRONG_PASSWORD,
      roles: ['technician'],
    }),
    then: (operator, state) => {
      state.technicianId = operator.id;
    },
  },
  'operators.list': { invalid: { page: 2 }, valid: () => ({}) },
  'operators.update': {
    invalid: { operatorId: '', displayName: 'Nobody' },
    valid: (state) => ({ operatorId: state.technicianId, displayName: 'Technician One' }),
  },
  'operators.setDisabled': {
    invalid: { operatorId: 'x', disabled: 'yes' },
    valid: (state) => ({ operatorId: state.technicianId, disabled: true }),
  },
  'operators.resetPassword': {
    invalid: { operatorId: 'x' },
    valid: (state) => ({ operatorId: state.technicianId, newPassword: RESET_PASSWORD }),
  },
  'settings.get': { invalid: { key: 'idleLockMinutes' }, valid: () => ({}) },
  'settings.update': { invalid: { idleLockMinutes: 0 }, valid: () => ({ idleLockMinutes: 30 }) },
  'audit.list': { invalid: { limit: 5000 }, valid: () => ({ limit: 50 }) },
  'audit.get': { invalid: { seq: -1 }, valid: () => ({ seq: 1 }) },
  'audit.verify': { invalid: { deep: true }, valid: () => ({}) },
  'auth.changePassword': {
    invalid: { currentPassword: STRONG_PASSWORD },
    valid: (state) => ({ currentPassword: state.password, newPassword: NEW_OWN_PASSWORD }),
    then: (_done, state) => {
      state.password = NEW_OWN_PASSWORD;
    },
  },
  'auth.unlock': {
    invalid: { password: '' },
    valid: (state) => ({ password: state.password }),
    then: (session, _state, client) => client.setSession(session.token),
  },
  'auth.logout': { invalid: { everywhere: true }, valid: () => ({}) },
};

const {
  'auth.changePassword': changePassword,
  'auth.unlock': unlock,
  'auth.logout': logout,
  ...opening
} = ALL;

/** First run, login, operators, settings and audit: what every other area's cases build on. */
export const foundationOpening = opening;

/** Password change, unlock and logout: run after every area's cases. */
export const foundationClosing = {
  'auth.changePassword': changePassword,
  'auth.unlock': unlock,
  'auth.logout': logout,
};
