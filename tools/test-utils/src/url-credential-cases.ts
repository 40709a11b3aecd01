/**
 * Credentials in URLs, by the one rule of @bulwark/logging and @bulwark/telemetry (core's
 * `redactUrlUserInfo` and `isCredentialName`): each case a shape, a text holding it and the text as
 * either package writes it, with `[REDACTED]` as the censor. Both packages' tests run the whole table
 * through their own output (a log line, a health report).
 */
export const URL_CREDENTIAL_CASES: readonly (readonly [shape: string, text: string, expected: string])[] = [
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['user and password', 'postgres://app:s3cret@db:5432/orders', 'postgres://[REDACTED]@db:5432/orders'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a password alone', 'redis://:s3cret@cache:6379/0', 'redis://[REDACTED]@cache:6379/0'],
  ['a token as the user', 'https://ghp_abc123@github.com/org/repo.git', 'https://[REDACTED]@github.com/org/repo.git'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['an @ in the password', 'amqp://u:p@ss@mq:5672/v', 'amqp://[REDACTED]@mq:5672/v'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['an empty password', 'https://user:@host/x', 'https://[REDACTED]@host/x'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['no scheme', 'dial //u:pw@host/x refused', 'dial //[REDACTED]@host/x refused'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['several URLs', 'a amqp://u:p1@a:5672/v b https://e:443/f?to=g@h c mongodb://u:last@i', 'a amqp://[REDACTED]@a:5672/v b https://e:443/f?to=g@h c mongodb://[REDACTED]@i'],
  ['a query parameter', 'GET https://a.example/v1?api_key=k-1&page=2 failed', 'GET https://a.example/v1?api_key=[REDACTED]&page=2 failed'],
  ['several parameters', 'https://a.example/v1?page=2&access_token=at-9;sig=ab12', 'https://a.example/v1?page=2&access_token=[REDACTED];sig=[REDACTED]'],
  [
    'a presigned URL',
    'https://s3.example/b/k?X-Amz-Credential=AKIA/20260101&X-Amz-Signature=deadbeef&X-Amz-Date=20260101T000000Z',
    'https://s3.example/b/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Date=20260101T000000Z',
  ],
  ['a fragment parameter', 'https://app.example/cb#access_token=at-1&state=xyz', 'https://app.example/cb#access_token=[REDACTED]&state=xyz'],
  ['a percent-encoded value', 'https://a.example/?password=p%40ss&next=%2Fhome', 'https://a.example/?password=[REDACTED]&next=%2Fhome'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a URL inside a URL', 'https://a.example/login?next=https://u:pw@inner/x&token=t-1', 'https://a.example/login?next=https://[REDACTED]@inner/x&token=[REDACTED]'],
  ['names that are not credentials', 'https://a.example/?monkey=3&keyspace=k&page=2&email=ada@example.com', 'https://a.example/?monkey=3&keyspace=k&page=2&email=ada@example.com'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a # in the password', 'postgres://user:ab#cd@db:5432/app', 'postgres://[REDACTED]@db:5432/app'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a / in a password alone', 'redis://:p/ss@host', 'redis://[REDACTED]@host'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a ? in the password', 'mysql://app:wh?at@db/orders', 'mysql://[REDACTED]@db/orders'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['/ ? # and @ in the password, then a path, a query and a fragment', 'https://user:p/a?s#s@x@host/path?x=1#frag', 'https://[REDACTED]@host/path?x=1#frag'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a # in the password, an @ in the query', 'postgres://u:p#w@db:5432/app?email=ada@example.com', 'postgres://[REDACTED]@db:5432/app?email=ada@example.com'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a / in the password, then a second URL', 'a redis://:p/w@h1:6379 b https://x.example/?to=g@h', 'a redis://[REDACTED]@h1:6379 b https://x.example/?to=g@h'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['two URLs in JSON', '["redis://:p/w@h1","https://h2/?to=g@h"]', '["redis://[REDACTED]@h1","https://h2/?to=g@h"]'],
  // bulwark-allow-secret: a made-up credential, the subject of the table
  ['a URL with no credentials before one with', 'see http://cache:x/y,redis://u:pw@h2/0', 'see http://cache:x/y,redis://[REDACTED]@h2/0'],
  ['a port, and an @ in the query', 'http://localhost:3000/users?email=ada@example.com', 'http://localhost:3000/users?email=ada@example.com'],
  ['an IPv6 host and port, and an @ in the path', 'http://[::1]:8080/u/@ada#top', 'http://[::1]:8080/u/@ada#top'],
  ['no URL', 'mailto:bob@example.com', 'mailto:bob@example.com'],
];
