"""moto_server with S3 bucket-policy conditions on PutObject evaluated (tests only).

moto 5.2 evaluates a bucket policy on object requests without the request's condition keys: a statement
with a Condition counts as matching whatever the request carries, so the standard "deny unencrypted
uploads" policy denies every upload, encrypted or not. This launcher patches two things:
1. `FakeBucket.get_permission` (moto's own bucket-policy check) ignores statements that have a Condition;
2. a WSGI wrapper evaluates those statements for object writes: a PutObject (PUT of an object, not a part nor a copy) or CreateMultipartUpload (POST
?uploads) is answered 403 AccessDenied when a Deny statement of the bucket's policy on s3:PutObject (or
s3:*) matches the object's ARN and all its conditions hold. The condition operators AWS's documented
"deny unencrypted uploads" policies use are evaluated on the request headers: StringNotEquals,
StringEquals and Null, on s3:x-amz-server-side-encryption and s3:x-amz-server-side-encryption-aws-kms-key-id.
A statement with any other condition is not evaluated (reported on stderr). Nothing else of moto changes;
arguments are moto.server's.
"""

import fnmatch
import json
import sys
from urllib.parse import parse_qs, unquote

from moto import server
from moto.moto_server import werkzeug_app
from moto.s3 import models as s3_models

CONDITION_HEADERS = {
    "s3:x-amz-server-side-encryption": "HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": "HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION_AWS_KMS_KEY_ID",
}


def as_list(value):
    return value if isinstance(value, list) else [value]


def condition_holds(condition, environ):
    for operator, pairs in condition.items():
        for key, expected in pairs.items():
            header = CONDITION_HEADERS.get(key.lower())
            if header is None or operator not in ("StringNotEquals", "StringEquals", "Null"):
                print(f"moto_launcher: condition {operator} {key} not evaluated", file=sys.stderr)
                return False
            actual = environ.get(header)
            expected = [str(e) for e in as_list(expected)]
            if operator == "Null":
                if (actual is None) != (expected[0].lower() == "true"):
                    return False
            elif operator == "StringEquals":
                if actual not in expected:
                    return False
            elif actual in expected:  # StringNotEquals (holds when the key is absent)
                return False
    return True


def denied(environ):
    method = environ.get("REQUEST_METHOD")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    is_put = method == "PUT" and "partNumber" not in query and "HTTP_X_AMZ_COPY_SOURCE" not in environ
    is_create_upload = method == "POST" and "uploads" in query
    if not (is_put or is_create_upload):
        return False
    path = unquote(environ.get("PATH_INFO", ""))
    parts = path.lstrip("/").split("/", 1)
    if len(parts) < 2 or not parts[1]:
        return False  # bucket-level request (e.g. PutBucketPolicy)
    bucket_name, key = parts
    for account in list(s3_models.s3_backends.keys()):
        bucket = s3_models.s3_backends[account]["aws"].buckets.get(bucket_name)
        if bucket is None or not bucket.policy:
            continue
        policy = json.loads(bucket.policy)
        arn = f"arn:aws:s3:::{bucket_name}/{key}"
        for statement in as_list(policy.get("Statement", [])):
            if statement.get("Effect") != "Deny":
                continue
            actions = as_list(statement.get("Action", []))
            if not any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions):
                continue
            if not any(fnmatch.fnmatchcase(arn, r) for r in as_list(statement.get("Resource", []))):
                continue
            if condition_holds(statement.get("Condition", {}), environ):
                return True
    return False


class PolicyEnforcingApp(werkzeug_app.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        if denied(environ):
            # Read the request body, so the connection stays in step for the next request.
            length = int(environ.get("CONTENT_LENGTH") or 0)
            stream = environ["wsgi.input"]
            while length > 0:
                chunk = stream.read(min(length, 1 << 16))
                if not chunk:
                    break
                length -= len(chunk)
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                b"<Message>Access Denied by bucket policy</Message></Error>"
            )
            start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body))), ("Connection", "close")])
            return [body]
        return super().__call__(environ, start_response)


server.DomainDispatcherApplication = PolicyEnforcingApp

_get_permission = s3_models.FakeBucket.get_permission


def get_permission_without_conditions(self, action, resource):
    if self.policy is None:
        return _get_permission(self, action, resource)
    policy = json.loads(self.policy)
    statements = [s for s in as_list(policy.get("Statement", [])) if "Condition" not in s]
    original = self.policy
    try:
        self.policy = json.dumps({**policy, "Statement": statements}).encode()
        return _get_permission(self, action, resource)
    finally:
        self.policy = original


s3_models.FakeBucket.get_permission = get_permission_without_conditions

if __name__ == "__main__":
    server.main(sys.argv[1:])
