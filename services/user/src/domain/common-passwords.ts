/**
 * Passwords long enough to pass the length rule that attackers try first: the long entries of the
 * common-password lists are mostly a popular word with a number or year appended, keyboard walks
 * and digit runs. Compared in lower case.
 */
const words = [
  'password', 'passw0rd', 'p@ssword', 'p@ssw0rd', 'qwerty', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'iloveyou',
  'letmein', 'welcome', 'admin', 'administrator', 'monkey', 'dragon', 'football', 'baseball', 'basketball',
  'sunshine', 'princess', 'trustno1', 'superman', 'batman', 'spiderman', 'starwars', 'whatever', 'shadow',
  'master', 'michael', 'jennifer', 'jessica', 'charlie', 'abc123', 'changeme', 'default', 'secret', 'freedom',
  'computer', 'internet', 'samsung', 'liverpool', 'chelsea', 'arsenal', 'pokemon', 'minecraft', 'summer',
  'winter', 'spring', 'autumn', 'hello', 'helloworld', 'hunter', 'login', 'dema', 'shopping', 'ecommerce',
];
const suffixes = ['', '1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '!', '!!', '1!', '123!', '2023', '2024', '2025', '2026', '2027', '@123'];
const sequences = [
  '123456789012', '1234567890123', '12345678901234', '098765432109', '111111111111', '000000000000', '123123123123',
  '121212121212', 'qwertyuiop12', 'qwertyuiop123', '1q2w3e4r5t6y', '1q2w3e4r5t6y7u', 'q1w2e3r4t5y6', 'qazwsxedcrfv',
  '1qaz2wsx3edc', 'zaq12wsxcde3', 'abcdefghijkl', 'abcd1234abcd', 'aaaaaaaaaaaa', 'passwordpassword', 'iloveyouiloveyou',
  'correcthorsebatterystaple', 'letmeinletmein', 'qwertyqwerty', 'asdfasdfasdf', 'asdfghjkl123', 'zxcvbnm12345',
];

export const commonPasswords: ReadonlySet<string> = new Set([
  ...words.flatMap((word) => suffixes.map((suffix) => word + suffix)).filter((p) => p.length >= 12),
  ...sequences,
]);
