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
A statement with any other condition is not evaluated (reported on stderr).

Under IAM enforcement (`POST /moto-api/reset-auth` with a count, or INITIAL_NO_AUTH_ACTION_COUNT), moto 5.2
has four gaps this launcher closes, for tests only (the product is never changed to suit moto):
3. SigV4 is checked against the decoded path and query: a ListObjectsV2 (`prefix=a%2F`) or a key with `+` or
   non-ASCII fails with SignatureDoesNotMatch. The signature is recomputed over the raw request URI
   (werkzeug's RAW_URI), which is what the client signed.
4. Identity-policy conditions: moto evaluates only StringEquals, against values it never supplies, so
   every condition passes. Here a statement applies only when all its conditions hold, evaluated on the
   keys driftwatch's generated policies use: `s3:prefix` (from the request's `prefix` query parameter) and
   `cloudwatch:namespace` (from the PutMetricData body), with StringEquals, StringNotEquals, StringLike and
   StringNotLike. Any other key or operator makes the statement not apply (reported on stderr): an Allow
   is then not granted, so the tests can only under-grant, never over-grant.
5. CloudWatch: the action is named `monitoring:*` (the signing name) and every call's resource is `*`.
   Here it is `cloudwatch:*`, the alarm actions (PutMetricAlarm, DeleteAlarms, TagResource,
   ListTagsForResource) are checked on each alarm's ARN `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`
   and the dashboard actions (GetDashboard, PutDashboard, DeleteDashboards) on
   `arn:aws:cloudwatch::<account>:dashboard/<name>`, as AWS does.
6. An authorization failure of a JSON-protocol call (CloudWatch's AWS JSON 1.0) is answered in XML, which
   the SDK cannot parse: it is re-encoded as the JSON error AWS sends (`__type`, `message`).
Not evaluated by moto at all: KMS key policies and `kms:*` permissions (moto's S3 does not call KMS for
SSE-KMS), `kms:ResourceAliases`. Nothing else of moto changes; arguments are moto.server's.
"""

import fnmatch
import json
import re
import sys
import threading
from urllib.parse import parse_qs, unquote, urlsplit

from moto import server
from moto.moto_server import werkzeug_app
from moto.iam import access_control
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


REQUEST = threading.local()


def json_error(status, headers, body):
    """An XML authorization error of a JSON-protocol call, as AWS's JSON error (gap 6)."""
    text = b"".join(body).decode("utf-8", "replace")
    code = re.search(r"<Code>(.*?)</Code>", text)
    message = re.search(r"<Message>(.*?)</Message>", text, re.S)
    payload = json.dumps(
        {"__type": code.group(1) if code else "AccessDenied", "message": message.group(1) if message else text}
    ).encode()
    headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
    headers += [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(payload)))]
    return status, headers, [payload]


class PolicyEnforcingApp(werkzeug_app.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        REQUEST.environ = environ
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("GraniteServiceVersion20100801."):
            captured = {}

            def capture(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers
                return lambda data: None

            body = list(super().__call__(environ, capture))
            status, headers = captured["status"], captured["headers"]
            content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
            joined = b"".join(body)
            if status.startswith("4") and (joined.lstrip().startswith(b"<") or "xml" in content_type):
                status, headers, body = json_error(status, headers, [joined])
            start_response(status, headers)
            return body
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


# --- IAM enforcement (gaps 3-5) ---------------------------------------------------------------------

_create_aws_request = access_control.IAMRequestBase._create_aws_request


def create_aws_request_on_raw_uri(self):
    """Gap 3: sign over the URI as sent (percent-encoded), not moto's decoded path and query."""
    environ = getattr(REQUEST, "environ", None)
    raw = environ.get("RAW_URI") if environ else None
    if raw:
        original = self._path
        self._path = raw
        try:
            return _create_aws_request(self)
        finally:
            self._path = original
    return _create_aws_request(self)


access_control.IAMRequestBase._create_aws_request = create_aws_request_on_raw_uri


def request_condition_values(request):
    """Gap 4: the condition keys this launcher can supply for the current request."""
    values = {}
    environ = getattr(REQUEST, "environ", None)
    if environ is not None:
        query = parse_qs(urlsplit(environ.get("RAW_URI") or "").query, keep_blank_values=True)
        if "prefix" in query:
            values["s3:prefix"] = query["prefix"][0]
    if request._service == "monitoring":
        namespace = None
        data = request._data or {}
        if isinstance(data, dict) and data.get("Namespace"):
            namespace = data["Namespace"]
            namespace = namespace[0] if isinstance(namespace, list) else namespace
        elif request._body:
            try:
                namespace = json.loads(request._body).get("Namespace")
            except (ValueError, AttributeError):
                namespace = None
        if namespace is not None:
            values["cloudwatch:namespace"] = namespace
    return values


def like(pattern, value):
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value, re.S) is not None


OPERATORS = {
    "StringEquals": lambda expected, actual: actual in expected,
    "StringNotEquals": lambda expected, actual: actual not in expected,
    "StringLike": lambda expected, actual: any(like(e, actual) for e in expected),
    "StringNotLike": lambda expected, actual: not any(like(e, actual) for e in expected),
}


def conditions_hold(condition, values):
    for operator, pairs in condition.items():
        for key, expected in pairs.items():
            test = OPERATORS.get(operator)
            if test is None or key not in ("s3:prefix", "cloudwatch:namespace"):
                print(f"moto_launcher: IAM condition {operator} {key} not evaluated: statement not applied", file=sys.stderr)
                return False
            if key not in values:
                return False
            if not test([str(e) for e in as_list(expected)], values[key]):
                return False
    return True


_statement_permitted = access_control.IAMPolicyStatement.is_action_permitted


def statement_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    condition = self._statement.get("Condition")
    values = getattr(REQUEST, "condition_values", None)
    if not condition or principal is not None or values is None:
        return _statement_permitted(self, action, resource, principal, incoming_condition_values)
    if not conditions_hold(condition, values):
        return access_control.PermissionResult.NEUTRAL  # a statement whose conditions fail does not apply
    unconditioned = access_control.IAMPolicyStatement({k: v for k, v in self._statement.items() if k != "Condition"})
    return _statement_permitted(unconditioned, action, resource, principal, incoming_condition_values)


access_control.IAMPolicyStatement.is_action_permitted = statement_permitted

ALARM_ACTIONS = {"PutMetricAlarm", "DeleteAlarms", "TagResource", "ListTagsForResource"}
DASHBOARD_ACTIONS = {"GetDashboard", "PutDashboard", "DeleteDashboards"}


def cloudwatch_resources(request):
    """Gap 5: the alarm ARNs a CloudWatch alarm call acts on (`*` for every other call)."""
    name = request._action.split(":", 1)[1]
    if name not in ALARM_ACTIONS and name not in DASHBOARD_ACTIONS:
        return ["*"]
    data = request._data if isinstance(request._data, dict) else {}
    body = {}
    if request._body:
        try:
            body = json.loads(request._body)
        except ValueError:
            body = {}
    def field(key):
        if key in body:
            return body[key]
        found = [v for k, v in data.items() if k == key or k.startswith(key + ".member.")]
        return [x for v in found for x in as_list(v)]
    if name in DASHBOARD_ACTIONS:
        names = as_list(field("DashboardNames" if name == "DeleteDashboards" else "DashboardName"))
        return [f"arn:aws:cloudwatch::{request.account_id}:dashboard/{n}" for n in names] or ["*"]
    arn = f"arn:aws:cloudwatch:{request._region}:{request.account_id}:alarm:"
    if name == "PutMetricAlarm":
        names = as_list(field("AlarmName"))
    elif name == "DeleteAlarms":
        names = as_list(field("AlarmNames"))
    else:
        return [str(r) for r in as_list(field("ResourceARN"))] or ["*"]
    return [arn + str(n) for n in names] or ["*"]


_check_action_permitted = access_control.IAMRequestBase.check_action_permitted


def check_action_permitted(self, resource):
    REQUEST.condition_values = request_condition_values(self)
    try:
        if self._service == "monitoring":
            self._action = "cloudwatch:" + self._action.split(":", 1)[1]
            for arn in cloudwatch_resources(self):
                _check_action_permitted(self, arn)
            return None
        return _check_action_permitted(self, resource)
    finally:
        REQUEST.condition_values = None


access_control.IAMRequestBase.check_action_permitted = check_action_permitted

if __name__ == "__main__":
    server.main(sys.argv[1:])
