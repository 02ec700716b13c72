"""Generated from detect-secrets 1.5.0 by `python -m tools.credential_rules`: do not edit.

detect-secrets' regex plugins (each plugin's secret type, pattern sources and flags, in
its `denylist` order) plus gitleaks' `gcp-api-key` rule, and detect-secrets'
KeywordDetector words for config names. Anchors: sets of literals; every match of the
pattern contains one literal of each set (lower case for IGNORECASE patterns, valid for
ASCII text only).
"""

# ruff: noqa: E501
from __future__ import annotations

import re

DETECT_SECRETS_VERSION = "1.5.0"

# (secret type, plugin, ((pattern source, flags, anchors), ...), extra check)
Pattern = tuple[str, int, tuple[tuple[str, ...], ...]]
VALUE_RULES: tuple[tuple[str, str, tuple[Pattern, ...], str], ...] = (
    (
        "AWS Access Key",
        "AWSKeyDetector",
        (
            (
                "(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}",
                0,
                (("A3T", "ABIA", "ACCA", "AKIA", "ASIA"),),
            ),
            (
                "aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\\'\\\"]([0-9a-zA-Z/+]{40})[\\'\\\"]",
                re.IGNORECASE,
                (("aws",), ("key", "pass", "pw", "token")),
            ),
        ),
        "",
    ),
    (
        "Artifactory Credentials",
        "ArtifactoryDetector",
        (
            ('(?:\\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}(?:\\s|"|$)', 0, (("AKC",),)),
            ('(?:\\s|=|:|"|^)AP[\\dABCDEF][a-zA-Z0-9]{8,}(?:\\s|"|$)', 0, (("AP",),)),
        ),
        "",
    ),
    (
        "Azure Storage Account access key",
        "AzureStorageKeyDetector",
        (("AccountKey=[a-zA-Z0-9+\\/=]{88}", 0, (("AccountKey=",),)),),
        "",
    ),
    (
        "Basic Auth Credentials",
        "BasicAuthDetector",
        (
            (
                "://[^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+:([^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+)@",
                0,
                (("://",), ("@",)),
            ),
        ),
        "",
    ),
    (
        "Cloudant Credentials",
        "CloudantDetector",
        (
            (
                "(?:(?<=\\W)|(?<=^))(?:\\[|)(?:\"|\\'|)(?:cloudant|cl|clou)(?:_|-|)(?:api|)(?:key|pwd|pw|password|pass|token)(?:\"|\\'|)(?:\\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:\"|\\'|)([0-9a-f]{64})(?:\"|\\'|)",
                re.IGNORECASE,
                (("cl",), ("key", "pass", "pw", "token"), (" ", ":", "=")),
            ),
            (
                "(?:(?<=\\W)|(?<=^))(?:\\[|)(?:\"|\\'|)(?:cloudant|cl|clou)(?:_|-|)(?:api|)(?:key|pwd|pw|password|pass|token)(?:\"|\\'|)(?:\\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:\"|\\'|)([a-z]{24})(?:\"|\\'|)",
                re.IGNORECASE,
                (("cl",), ("key", "pass", "pw", "token"), (" ", ":", "=")),
            ),
            (
                "(?:https?\\:\\/\\/)[\\w\\-]+\\:([0-9a-f]{64})\\@[\\w\\-]+\\.cloudant\\.com",
                re.IGNORECASE,
                ((".cloudant.com",), ("http",), ("://",)),
            ),
            (
                "(?:https?\\:\\/\\/)[\\w\\-]+\\:([a-z]{24})\\@[\\w\\-]+\\.cloudant\\.com",
                re.IGNORECASE,
                ((".cloudant.com",), ("http",), ("://",)),
            ),
        ),
        "",
    ),
    (
        "Discord Bot Token",
        "DiscordBotTokenDetector",
        (("[MNO][a-zA-Z\\d_-]{23,25}\\.[a-zA-Z\\d_-]{6}\\.[a-zA-Z\\d_-]{27}", 0, ((".",),)),),
        "",
    ),
    (
        "GitHub Token",
        "GitHubTokenDetector",
        (("(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}", 0, (("gh",), ("_",))),),
        "",
    ),
    (
        "GitLab Token",
        "GitLabTokenDetector",
        (
            (
                "(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\\-]{20,50}(?!\\w)",
                0,
                (("gldt", "glft", "glpat", "glrt", "glsoat"), ("-",)),
            ),
            ("GR1348941[A-Za-z0-9_\\-]{20,50}(?!\\w)", 0, (("GR1348941",),)),
            ("glcbt-([0-9a-fA-F]{2}_)?[A-Za-z0-9_\\-]{20,50}(?!\\w)", 0, (("glcbt-",),)),
            ("glimt-[A-Za-z0-9_\\-]{25}(?!\\w)", 0, (("glimt-",),)),
            ("glptt-[A-Za-z0-9_\\-]{40}(?!\\w)", 0, (("glptt-",),)),
            ("glagent-[A-Za-z0-9_\\-]{50,1024}(?!\\w)", 0, (("glagent-",),)),
            ("gloas-[A-Za-z0-9_\\-]{64}(?!\\w)", 0, (("gloas-",),)),
        ),
        "",
    ),
    (
        "IBM COS HMAC Credentials",
        "IbmCosHmacDetector",
        (
            (
                "(?:(?<=\\W)|(?<=^))(?:\\[|)(?:\"|\\'|)(?:(?:ibm)?[-_]?cos[-_]?(?:hmac)?|)(?:_|-|)(?:secret[-_]?(?:access)?[-_]?key)(?:\"|\\'|)(?:\\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:\"|\\'|)([a-f0-9]{48}(?![a-f0-9]))(?:\"|\\'|)",
                re.IGNORECASE,
                (("secret",), ("key",), (" ", ":", "=")),
            ),
        ),
        "",
    ),
    (
        "IBM Cloud IAM Key",
        "IbmCloudIamDetector",
        (
            (
                "(?:(?<=\\W)|(?<=^))(?:\\[|)(?:\"|\\'|)(?:ibm(?:_|-|)cloud(?:_|-|)iam|cloud(?:_|-|)iam|ibm(?:_|-|)cloud|ibm(?:_|-|)iam|ibm|iam|cloud|)(?:_|-|)(?:api|)(?:_|-|)(?:key|pwd|password|pass|token)(?:\"|\\'|)(?:\\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:\"|\\'|)([a-zA-Z0-9_\\-]{44}(?![a-zA-Z0-9_\\-]))(?:\"|\\'|)",
                re.IGNORECASE,
                (("key", "pass", "pwd", "token"), (" ", ":", "=")),
            ),
        ),
        "",
    ),
    (
        "JSON Web Token",
        "JwtTokenDetector",
        (("eyJ[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.?[A-Za-z0-9-_.+/=]*?", 0, (("eyJ",), (".",))),),
        "jwt",
    ),
    (
        "Mailchimp Access Key",
        "MailchimpDetector",
        (("[0-9a-z]{32}-us[0-9]{1,2}", 0, (("-us",),)),),
        "",
    ),
    (
        "NPM tokens",
        "NpmDetector",
        (
            (
                "\\/\\/.+\\/:_authToken=\\s*((npm_.+)|([A-Fa-f0-9-]{36})).*",
                0,
                (("/:_authToken=",), ("//",)),
            ),
        ),
        "",
    ),
    (
        "OpenAI Token",
        "OpenAIDetector",
        (
            (
                "sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
                0,
                (("T3BlbkFJ",), ("sk-",)),
            ),
        ),
        "",
    ),
    (
        "Private Key",
        "PrivateKeyDetector",
        (
            ("BEGIN DSA PRIVATE KEY", 0, (("BEGIN DSA PRIVATE KEY",),)),
            ("BEGIN EC PRIVATE KEY", 0, (("BEGIN EC PRIVATE KEY",),)),
            ("BEGIN OPENSSH PRIVATE KEY", 0, (("BEGIN OPENSSH PRIVATE KEY",),)),
            ("BEGIN PGP PRIVATE KEY BLOCK", 0, (("BEGIN PGP PRIVATE KEY BLOCK",),)),
            ("BEGIN PRIVATE KEY", 0, (("BEGIN PRIVATE KEY",),)),
            ("BEGIN RSA PRIVATE KEY", 0, (("BEGIN RSA PRIVATE KEY",),)),
            ("BEGIN SSH2 ENCRYPTED PRIVATE KEY", 0, (("BEGIN SSH2 ENCRYPTED PRIVATE KEY",),)),
            ("PuTTY-User-Key-File-2", 0, (("PuTTY-User-Key-File-2",),)),
        ),
        "",
    ),
    (
        "PyPI Token",
        "PypiTokenDetector",
        (
            ("pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}", 0, (("pypi-AgEIcHlwaS5vcmc",),)),
            (
                "pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}",
                0,
                (("pypi-AgENdGVzdC5weXBpLm9yZw",),),
            ),
        ),
        "",
    ),
    (
        "SendGrid API Key",
        "SendGridDetector",
        (("SG\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9_-]{43}", 0, (("SG.",),)),),
        "",
    ),
    (
        "Slack Token",
        "SlackDetector",
        (
            ("xox(?:a|b|p|o|s|r)-(?:\\d+-)+[a-z0-9]+", re.IGNORECASE, (("xox",), ("-",))),
            (
                "https://hooks\\.slack\\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+",
                re.IGNORECASE | re.VERBOSE,
                (("https://hooks.slack.com/services/t",), ("/b",)),
            ),
        ),
        "",
    ),
    (
        "SoftLayer Credentials",
        "SoftlayerDetector",
        (
            (
                "(?:(?<=\\W)|(?<=^))(?:\\[|)(?:\"|\\'|)(?:softlayer|sl)(?:_|-|)(?:api|)(?:_|-|)(?:key|pwd|password|pass|token)(?:\"|\\'|)(?:\\]|)(?: *)(?:=|:|:=|=>| +|::)(?: *)(?:\"|\\'|)([a-z0-9]{64})(?:\"|\\'|)",
                re.IGNORECASE,
                (("key", "pass", "pwd", "token"), ("sl", "softlayer"), (" ", ":", "=")),
            ),
            (
                "(?:http|https)://api.softlayer.com/soap/(?:v3|v3.1)/([a-z0-9]{64})",
                re.IGNORECASE,
                (("com/soap/v3",), ("softlayer",), ("://api",)),
            ),
        ),
        "",
    ),
    (
        "Square OAuth Secret",
        "SquareOAuthDetector",
        (("sq0csp-[0-9A-Za-z\\\\\\-_]{43}", 0, (("sq0csp-",),)),),
        "",
    ),
    (
        "Stripe Access Key",
        "StripeDetector",
        (("(?:r|s)k_live_[0-9a-zA-Z]{24}", 0, (("k_live_",),)),),
        "",
    ),
    (
        "Telegram Bot Token",
        "TelegramBotTokenDetector",
        (("\\d{8,10}:[0-9A-Za-z_-]{35}", 0, ((":",),)),),
        "",
    ),
    (
        "Twilio API Key",
        "TwilioKeyDetector",
        (
            ("AC[a-z0-9]{32}", 0, (("AC",),)),
            ("SK[a-z0-9]{32}", 0, (("SK",),)),
        ),
        "",
    ),
    (
        "Google API Key",
        "gitleaks:gcp-api-key",
        (("\\bAIza[\\w-]{35}", 0, (("AIza",),)),),
        "",
    ),
)

NAME_WORDS = (
    "api_?key",
    "auth_?key",
    "service_?key",
    "account_?key",
    "db_?key",
    "database_?key",
    "priv_?key",
    "private_?key",
    "client_?key",
    "db_?pass",
    "database_?pass",
    "key_?pass",
    "password",
    "passwd",
    "pwd",
    "secret",
    "contraseña",
    "contrasena",
)
