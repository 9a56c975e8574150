"""Every error code the server can answer with, its HTTP status and its English and Arabic text.

Vlens' documented codes keep their numbers and meanings (shared/spec vlens-api.md §4,
vlens-clients.md
§5). Cases Vlens leaves undocumented get the project's own numbers in ranges the spec does not use:
11xx credentials and tenancy, 12xx registration and OTP, 21xx contracting, 61xx sessions and
webhooks, 9xxx generic protocol errors. docs/errors.md is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class ErrorCode(IntEnum):
    # --- Vlens: validation codes seen inside services.validations (examples in the docs)
    OCR_LOW_CONFIDENCE = 101
    # --- Vlens: HTTP-level codes reused as error_code (vlens-api.md §4.3)
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    FORBIDDEN = 403
    UNSUPPORTED_IMAGE_FORMAT = 415
    UNPROCESSABLE = 422
    INTERNAL_ERROR = 500
    # --- Vlens: envelope examples
    DATE_OF_BIRTH_INVALID = 1001
    IMAGE_QUALITY_TOO_LOW = 1050
    # --- Vlens: document validation (§4.4)
    ID_NUMBER_INVALID = 3001
    BIRTH_DATE_INVALID = 3002
    GOVERNORATE_INVALID = 3003
    ID_KEY_INVALID = 3004
    GENDER_INVALID = 3005
    RELEASE_DATE_INVALID = 3006
    BIRTH_DATE_FORMAT = 3007
    RELEASE_DATE_FORMAT = 3008
    EXPIRY_DATE_FORMAT = 3009
    DOCUMENT_EXPIRED = 3010
    CARD_NOT_DETECTED = 3011
    MRZ_INVALID = 3013
    ID_FACE_NOT_FOUND = 3014
    ID_NUMBER_MISMATCH = 3101
    NAME_MISMATCH_CAR_LICENCE = 3102
    # --- Vlens: account / billing (bundle era) and throttling
    BUNDLE_KEY_INVALID = 4001
    BUNDLE_BALANCE_EXHAUSTED = 4002
    TRIALS_EXCEEDED = 4003
    SERVICE_NOT_IN_BUNDLE = 4004
    BUNDLE_DISABLED = 4005
    NO_BUNDLE_SUBSCRIPTION = 4006
    SUBSCRIPTION_EXPIRED = 4007
    # --- Vlens: faces
    MULTIPLE_FACES = 4206
    NO_FACE_DETECTED = 4207
    FACE_MISSING = 4208
    FACE_UNCLEAR = 4209
    FACE_UNCLEAR_ALT = 4210
    # --- Vlens: input and server
    SOMETHING_WENT_WRONG = 5000
    UNSUPPORTED_DOCUMENT = 5001
    IMAGE_TOO_LARGE = 5002
    IMAGE_TOO_MANY_PIXELS = 5003
    TRANSACTION_OR_TOKEN_INVALID = 5004
    DOCUMENT_NOT_GENUINE = 5005
    IMAGE_OUT_OF_FOCUS = 5006
    WRONG_ENDPOINT_FOR_DOCUMENT = 5007
    FIELDS_NOT_MAPPED = 5008
    # --- Vlens: processing failures
    MULTI_CARD_FAILED = 7000
    ID_FRONT_FAILED = 7001
    ID_BACK_FAILED = 7002
    CAR_LICENCE_BACK_FAILED = 7003
    CAR_LICENCE_FRONT_FAILED = 7004
    DRIVING_LICENCE_FAILED = 7005
    PASSPORT_FAILED = 7006
    FACE_MATCH_FAILED = 7008

    # --- Hawiya 11xx: credentials, API keys, tokens, tenancy
    API_KEY_MISSING = 1101
    API_KEY_INVALID = 1102
    API_KEY_IN_QUERY = 1103
    TENANCY_NAME_MISMATCH = 1104
    BEARER_MISSING = 1105
    TOKEN_INVALID = 1106
    TOKEN_EXPIRED = 1107
    TOKEN_KIND_WRONG = 1108
    PERMISSION_DENIED = 1109
    LOGIN_FAILED = 1110
    LOGIN_THROTTLED = 1111
    REFRESH_TOKEN_INVALID = 1112
    HASHING_BUSY = 1113
    PASSWORD_TOO_SHORT = 1120
    PASSWORD_TOO_LONG = 1121
    PASSWORD_TOO_COMMON = 1122
    PASSWORD_CONTAINS_CONTEXT = 1123
    TENANT_NAME_TAKEN = 1130
    TENANT_NAME_INVALID = 1131
    ADMIN_EMAIL_TAKEN = 1132
    API_KEY_NOT_FOUND = 1133

    # --- Hawiya 12xx: registration, end users and one-time codes
    OTP_INVALID = 1201
    OTP_IDENTIFIER_LOCKED = 1202
    OTP_RESEND_TOO_SOON = 1203
    OTP_SEND_LIMIT = 1204
    SMS_DELIVERY_FAILED = 1205
    EMAIL_DELIVERY_FAILED = 1206
    SMS_GATEWAY_NOT_CONFIGURED = 1207
    PHONE_INVALID = 1210
    PHONE_COUNTRY_NOT_ALLOWED = 1211
    PHONE_ALREADY_REGISTERED = 1212
    EMAIL_ALREADY_REGISTERED = 1213
    PHONE_NOT_CONFIRMED = 1214
    EMAIL_NOT_CONFIRMED = 1215
    EMAIL_OR_PHONE_REQUIRED = 1216
    OAUTH_TOKEN_INVALID = 1220
    OAUTH_NOT_CONFIGURED = 1221
    OAUTH_EMAIL_NOT_VERIFIED = 1222
    OAUTH_PROVIDER_UNAVAILABLE = 1223
    OAUTH_VERIFICATION_INVALID = 1224
    PASSWORD_RESET_CODE_INVALID = 1230
    LIVENESS_REVALIDATION_REQUIRED = 1231
    DIGITAL_IDENTITY_NOT_VERIFIED = 1232
    USER_NOT_FOUND = 1233
    EMAIL_UNCHANGED = 1234
    PHONE_UNCHANGED = 1235
    IDENTITY_IMAGE_NOT_FOUND = 1301
    FACE_DOES_NOT_MATCH_ID = 1302
    ID_SIDES_MISSING = 1303
    ID_FRONT_MISSING = 1304
    REVIEW_NOT_PENDING = 1305
    VERIFICATION_ATTEMPTS_PAUSED = 1306
    VERIFICATION_DAILY_LIMIT = 1307

    # --- Hawiya 61xx: webhooks (6150 and up; the lower 61xx numbers are left to sessions)
    WEBHOOK_NOT_FOUND = 6150
    WEBHOOK_DELIVERY_NOT_FOUND = 6151
    WEBHOOK_URL_REFUSED = 6152
    WEBHOOK_EVENT_UNKNOWN = 6153
    WEBHOOK_INACTIVE = 6154
    WEBHOOK_DELIVERY_IN_PROGRESS = 6155
    WEBHOOK_LIMIT_REACHED = 6156

    # --- Hawiya 9xxx: generic protocol errors
    VALIDATION_FAILED = 9001
    MALFORMED_JSON = 9002
    UNSUPPORTED_CONTENT_TYPE = 9003
    BODY_TOO_LARGE = 9004
    ROUTE_NOT_FOUND = 9005
    METHOD_NOT_ALLOWED = 9006
    NOT_FOUND = 9007
    CONFLICT = 9008
    RATE_LIMITED = 9009
    SERVICE_UNAVAILABLE = 9010
    JSON_TOO_COMPLEX = 9011
    PROCESSING_TIMEOUT = 9012


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    status: int  # HTTP status under the default "vlens" policy
    en: str
    ar: str
    strict_status: int | None = None  # under HAWIYA_HTTP_ERRORS=strict; None = same as status

    def http_status(self, strict: bool) -> int:
        return self.strict_status if strict and self.strict_status is not None else self.status


def _biz(en: str, ar: str, strict: int = 422) -> ErrorSpec:
    """A business or validation failure: HTTP 200 as Vlens does, 4xx in strict mode."""
    return ErrorSpec(200, en, ar, strict)


E = ErrorCode
ERRORS: dict[ErrorCode, ErrorSpec] = {
    E.OCR_LOW_CONFIDENCE: _biz(
        "Character recognition confidence is below the threshold.",
        "ثقة التعرف على الحروف أقل من الحد المطلوب.",
    ),
    E.BAD_REQUEST: ErrorSpec(
        400, "Bad request: the input is malformed.", "طلب غير صالح: المدخلات غير سليمة."
    ),
    E.UNAUTHORIZED: ErrorSpec(401, "Unauthorized.", "غير مصرح."),
    E.FORBIDDEN: ErrorSpec(403, "Forbidden.", "غير مسموح."),
    E.UNSUPPORTED_IMAGE_FORMAT: _biz(
        "Unsupported image format; send JPEG or PNG.",
        "صيغة الصورة غير مدعومة؛ أرسل JPEG أو PNG.",
        415,
    ),
    E.UNPROCESSABLE: _biz("The request could not be processed.", "تعذرت معالجة الطلب."),
    E.INTERNAL_ERROR: ErrorSpec(
        500,
        "Unexpected server error; try again later.",
        "خطأ غير متوقع في الخادم؛ حاول مرة أخرى لاحقًا.",
    ),
    E.DATE_OF_BIRTH_INVALID: _biz("The date of birth is invalid.", "تاريخ الميلاد غير صالح."),
    E.IMAGE_QUALITY_TOO_LOW: _biz(
        "Image quality is too low for extraction; recapture.",
        "جودة الصورة منخفضة جدًا للاستخراج؛ أعد الالتقاط.",
    ),
    E.ID_NUMBER_INVALID: _biz("The national ID number is invalid.", "الرقم القومي غير صالح."),
    E.BIRTH_DATE_INVALID: _biz("The birth date is invalid.", "تاريخ الميلاد غير صالح."),
    E.GOVERNORATE_INVALID: _biz("The governorate is invalid.", "المحافظة غير صالحة."),
    E.ID_KEY_INVALID: _biz("The card key (serial) is invalid.", "رقم تسلسل البطاقة غير صالح."),
    E.GENDER_INVALID: _biz("The gender is invalid.", "النوع غير صالح."),
    E.RELEASE_DATE_INVALID: _biz("The release date is invalid.", "تاريخ الإصدار غير صالح."),
    E.BIRTH_DATE_FORMAT: _biz(
        "The birth date has a wrong format.", "صيغة تاريخ الميلاد غير صحيحة."
    ),
    E.RELEASE_DATE_FORMAT: _biz(
        "The release date has a wrong format.", "صيغة تاريخ الإصدار غير صحيحة."
    ),
    E.EXPIRY_DATE_FORMAT: _biz(
        "The expiry date has a wrong format.", "صيغة تاريخ الانتهاء غير صحيحة."
    ),
    E.DOCUMENT_EXPIRED: _biz("The document has expired.", "انتهت صلاحية المستند."),
    E.CARD_NOT_DETECTED: _biz(
        "No card was detected in the image; show the whole card.",
        "لم يتم العثور على بطاقة في الصورة؛ أظهر البطاقة كاملة.",
    ),
    E.MRZ_INVALID: _biz(
        "The MRZ is invalid or unreadable.", "منطقة القراءة الآلية غير صالحة أو غير مقروءة."
    ),
    E.ID_FACE_NOT_FOUND: _biz(
        "No face was found on the ID card.", "لم يتم العثور على وجه في بطاقة الهوية."
    ),
    E.ID_NUMBER_MISMATCH: _biz(
        "The ID number differs between the front and the back.",
        "الرقم القومي مختلف بين الوجه والظهر.",
    ),
    E.NAME_MISMATCH_CAR_LICENCE: _biz(
        "The name differs between the ID and the car licence.",
        "الاسم مختلف بين البطاقة ورخصة السيارة.",
    ),
    E.BUNDLE_KEY_INVALID: ErrorSpec(401, "Invalid bundle key.", "مفتاح الباقة غير صالح."),
    E.BUNDLE_BALANCE_EXHAUSTED: _biz(
        "The bundle balance is used up.", "تم استهلاك رصيد الباقة.", 402
    ),
    E.TRIALS_EXCEEDED: ErrorSpec(
        429, "Too many attempts; try again later.", "محاولات كثيرة جدًا؛ حاول لاحقًا."
    ),
    E.SERVICE_NOT_IN_BUNDLE: _biz(
        "The service is not part of the bundle.", "الخدمة غير مشمولة في الباقة.", 403
    ),
    E.BUNDLE_DISABLED: _biz(
        "The bundle is disabled; contact the administrator.", "الباقة معطلة؛ تواصل مع المسؤول.", 403
    ),
    E.NO_BUNDLE_SUBSCRIPTION: _biz(
        "There is no bundle subscription.", "لا يوجد اشتراك في باقة.", 403
    ),
    E.SUBSCRIPTION_EXPIRED: _biz("The subscription has expired.", "انتهى الاشتراك.", 403),
    E.MULTIPLE_FACES: _biz("More than one face is in the image.", "يوجد أكثر من وجه في الصورة."),
    E.NO_FACE_DETECTED: _biz("No face was detected.", "لم يتم اكتشاف وجه."),
    E.FACE_MISSING: _biz("Make sure a face is in the image.", "تأكد من وجود وجه في الصورة."),
    E.FACE_UNCLEAR: _biz(
        "The face capture is unclear; recapture.", "صورة الوجه غير واضحة؛ أعد الالتقاط."
    ),
    E.FACE_UNCLEAR_ALT: _biz(
        "The face capture is unclear; recapture.", "صورة الوجه غير واضحة؛ أعد الالتقاط."
    ),
    E.SOMETHING_WENT_WRONG: ErrorSpec(
        500, "Something went wrong; contact support.", "حدث خطأ ما؛ تواصل مع الدعم."
    ),
    E.UNSUPPORTED_DOCUMENT: _biz("The document is not supported.", "المستند غير مدعوم."),
    E.IMAGE_TOO_LARGE: _biz(
        "The image is larger than 5 MB.", "حجم الصورة أكبر من 5 ميجابايت.", 413
    ),
    E.IMAGE_TOO_MANY_PIXELS: _biz(
        "The image has more than 25 million pixels.", "الصورة تحتوي على أكثر من 25 مليون بكسل.", 413
    ),
    E.TRANSACTION_OR_TOKEN_INVALID: _biz(
        "The transaction ID or token in the request is invalid.",
        "معرف المعاملة أو الرمز في الطلب غير صالح.",
    ),
    E.DOCUMENT_NOT_GENUINE: _biz("The document is not genuine.", "المستند غير أصلي."),
    E.IMAGE_OUT_OF_FOCUS: _biz("The image is out of focus.", "الصورة غير واضحة التركيز."),
    E.WRONG_ENDPOINT_FOR_DOCUMENT: _biz(
        "This document was sent to the wrong endpoint.",
        "تم إرسال هذا المستند إلى نقطة الخدمة الخطأ.",
    ),
    E.FIELDS_NOT_MAPPED: _biz(
        "The extracted data could not be mapped to fields.", "تعذر ربط البيانات المستخرجة بالحقول."
    ),
    E.MULTI_CARD_FAILED: ErrorSpec(
        500, "Processing the cards failed; retry.", "فشلت معالجة البطاقات؛ أعد المحاولة."
    ),
    E.ID_FRONT_FAILED: ErrorSpec(
        500, "Processing the ID front failed; retry.", "فشلت معالجة وجه البطاقة؛ أعد المحاولة."
    ),
    E.ID_BACK_FAILED: ErrorSpec(
        500, "Processing the ID back failed; retry.", "فشلت معالجة ظهر البطاقة؛ أعد المحاولة."
    ),
    E.CAR_LICENCE_BACK_FAILED: ErrorSpec(
        500,
        "Processing the car licence back failed; retry.",
        "فشلت معالجة ظهر رخصة السيارة؛ أعد المحاولة.",
    ),
    E.CAR_LICENCE_FRONT_FAILED: ErrorSpec(
        500,
        "Processing the car licence front failed; retry.",
        "فشلت معالجة وجه رخصة السيارة؛ أعد المحاولة.",
    ),
    E.DRIVING_LICENCE_FAILED: ErrorSpec(
        500,
        "Processing the driving licence failed; retry.",
        "فشلت معالجة رخصة القيادة؛ أعد المحاولة.",
    ),
    E.PASSPORT_FAILED: ErrorSpec(
        500, "Processing the passport failed; retry.", "فشلت معالجة جواز السفر؛ أعد المحاولة."
    ),
    E.FACE_MATCH_FAILED: ErrorSpec(
        500, "Face matching failed; retry.", "فشلت مطابقة الوجه؛ أعد المحاولة."
    ),
    # Hawiya 11xx
    E.API_KEY_MISSING: ErrorSpec(401, "The ApiKey header is missing.", "ترويسة ApiKey مفقودة."),
    E.API_KEY_INVALID: ErrorSpec(
        401, "The API key is invalid.", "مفتاح الواجهة البرمجية غير صالح."
    ),
    E.API_KEY_IN_QUERY: ErrorSpec(
        401,
        "API keys are accepted only in the ApiKey header, never in the URL.",
        "يُقبل مفتاح الواجهة البرمجية في ترويسة ApiKey فقط، وليس في الرابط.",
    ),
    E.TENANCY_NAME_MISMATCH: ErrorSpec(
        401,
        "The tenancy name does not match the API key.",
        "اسم المستأجر لا يطابق مفتاح الواجهة البرمجية.",
    ),
    E.BEARER_MISSING: ErrorSpec(
        401, "A bearer access token is required.", "مطلوب رمز وصول من نوع Bearer."
    ),
    E.TOKEN_INVALID: ErrorSpec(401, "The access token is invalid.", "رمز الوصول غير صالح."),
    E.TOKEN_EXPIRED: ErrorSpec(401, "The access token has expired.", "انتهت صلاحية رمز الوصول."),
    E.TOKEN_KIND_WRONG: ErrorSpec(
        403,
        "This token cannot be used for this operation.",
        "لا يمكن استخدام هذا الرمز لهذه العملية.",
    ),
    E.PERMISSION_DENIED: ErrorSpec(403, "Permission denied.", "تم رفض الإذن."),
    E.LOGIN_FAILED: ErrorSpec(
        401,
        "Invalid user name, email or password.",
        "اسم المستخدم أو البريد الإلكتروني أو كلمة المرور غير صحيحة.",
    ),
    E.LOGIN_THROTTLED: ErrorSpec(
        429,
        "Too many failed sign-in attempts; try again later.",
        "محاولات تسجيل دخول فاشلة كثيرة؛ حاول لاحقًا.",
    ),
    E.REFRESH_TOKEN_INVALID: ErrorSpec(
        401,
        "The refresh token is invalid, expired or already used.",
        "رمز التحديث غير صالح أو منتهي أو مستخدم من قبل.",
    ),
    E.HASHING_BUSY: ErrorSpec(
        503, "The server is busy; try again shortly.", "الخادم مشغول؛ حاول بعد قليل."
    ),
    E.PASSWORD_TOO_SHORT: _biz(
        "The password is too short: administrators need at least 15 characters, users 8.",
        "كلمة المرور قصيرة جدًا: يحتاج المسؤولون إلى 15 حرفًا على الأقل، والمستخدمون إلى 8.",
    ),
    E.PASSWORD_TOO_LONG: _biz(
        "The password must have at most 128 characters.", "يجب ألا تزيد كلمة المرور عن 128 حرفًا."
    ),
    E.PASSWORD_TOO_COMMON: _biz(
        "This password is too common; choose another.", "كلمة المرور هذه شائعة جدًا؛ اختر غيرها."
    ),
    E.PASSWORD_CONTAINS_CONTEXT: _biz(
        "The password must not contain the tenant or user name.",
        "يجب ألا تحتوي كلمة المرور على اسم المستأجر أو المستخدم.",
    ),
    E.TENANT_NAME_TAKEN: _biz(
        "That tenancy name is already taken.", "اسم المستأجر مستخدم بالفعل.", 409
    ),
    E.TENANT_NAME_INVALID: _biz(
        "A tenancy name has 2 to 64 letters, digits, '-' or '_' and starts with a letter.",
        "اسم المستأجر من 2 إلى 64 حرفًا أو رقمًا أو '-' أو '_' ويبدأ بحرف.",
    ),
    E.ADMIN_EMAIL_TAKEN: _biz(
        "An administrator with that email already exists.",
        "يوجد مسؤول بهذا البريد الإلكتروني بالفعل.",
        409,
    ),
    E.API_KEY_NOT_FOUND: _biz(
        "The API key was not found.", "لم يتم العثور على مفتاح الواجهة البرمجية.", 404
    ),
    # Hawiya 12xx
    E.OTP_INVALID: _biz(
        "The code is wrong, expired or already used.",
        "الرمز غير صحيح أو منتهي الصلاحية أو مستخدم من قبل.",
    ),
    E.OTP_IDENTIFIER_LOCKED: ErrorSpec(
        429,
        "Too many wrong codes; this number or address is locked for a while.",
        "رموز خاطئة كثيرة؛ تم إيقاف هذا الرقم أو العنوان مؤقتًا.",
    ),
    E.OTP_RESEND_TOO_SOON: ErrorSpec(
        429, "Wait before asking for another code.", "انتظر قبل طلب رمز جديد."
    ),
    E.OTP_SEND_LIMIT: ErrorSpec(
        429, "Too many codes were requested; try again later.", "تم طلب رموز كثيرة جدًا؛ حاول لاحقًا."
    ),
    E.SMS_DELIVERY_FAILED: ErrorSpec(
        502, "The SMS could not be sent; try again.", "تعذر إرسال الرسالة النصية؛ حاول مرة أخرى."
    ),
    E.EMAIL_DELIVERY_FAILED: ErrorSpec(
        502,
        "The email could not be sent; try again.",
        "تعذر إرسال البريد الإلكتروني؛ حاول مرة أخرى.",
    ),
    E.SMS_GATEWAY_NOT_CONFIGURED: _biz(
        "That SMS gateway is not configured for this tenant.",
        "بوابة الرسائل هذه غير مهيأة لهذا المستأجر.",
    ),
    E.PHONE_INVALID: _biz(
        "The phone number is not a valid mobile number.", "رقم الهاتف ليس رقم هاتف محمول صالحًا."
    ),
    E.PHONE_COUNTRY_NOT_ALLOWED: _biz(
        "Phone numbers of that country are not accepted.", "لا تُقبل أرقام الهواتف من هذه الدولة."
    ),
    E.PHONE_ALREADY_REGISTERED: _biz(
        "An account with this phone number already exists.", "يوجد حساب بهذا الرقم بالفعل.", 409
    ),
    E.EMAIL_ALREADY_REGISTERED: _biz(
        "An account with this email already exists.",
        "يوجد حساب بهذا البريد الإلكتروني بالفعل.",
        409,
    ),
    E.PHONE_NOT_CONFIRMED: _biz(
        "Confirm the phone number with its code first.", "أكد رقم الهاتف بالرمز أولًا."
    ),
    E.EMAIL_NOT_CONFIRMED: _biz(
        "Confirm the email address first.", "أكد عنوان البريد الإلكتروني أولًا."
    ),
    E.EMAIL_OR_PHONE_REQUIRED: _biz(
        "Send a phone number or an email address.", "أرسل رقم هاتف أو عنوان بريد إلكتروني."
    ),
    E.OAUTH_TOKEN_INVALID: _biz(
        "The sign-in token is invalid or expired; sign in with the provider again.",
        "رمز تسجيل الدخول غير صالح أو منتهي؛ سجل الدخول لدى المزود مرة أخرى.",
    ),
    E.OAUTH_NOT_CONFIGURED: _biz(
        "Sign-in with that provider is not set up for this tenant.",
        "تسجيل الدخول عبر هذا المزود غير مهيأ لهذا المستأجر.",
    ),
    E.OAUTH_EMAIL_NOT_VERIFIED: _biz(
        "The provider has not verified this email address.",
        "لم يتحقق المزود من عنوان البريد الإلكتروني هذا.",
    ),
    E.OAUTH_PROVIDER_UNAVAILABLE: ErrorSpec(
        503,
        "The sign-in provider cannot be reached; try again shortly.",
        "تعذر الوصول إلى مزود تسجيل الدخول؛ حاول بعد قليل.",
    ),
    E.OAUTH_VERIFICATION_INVALID: _biz(
        "The OAuth verification is unknown, expired, already used or for another email.",
        "التحقق عبر المزود غير معروف أو منتهي أو مستخدم أو يخص بريدًا آخر.",
    ),
    E.PASSWORD_RESET_CODE_INVALID: _biz(
        "The password reset code is wrong, expired or already used.",
        "رمز إعادة تعيين كلمة المرور غير صحيح أو منتهي أو مستخدم.",
        400,
    ),
    E.LIVENESS_REVALIDATION_REQUIRED: _biz(
        "The identity is verified: re-validate liveness before this change.",
        "الهوية موثقة: أعد التحقق من الحيوية قبل هذا التغيير.",
        409,
    ),
    E.DIGITAL_IDENTITY_NOT_VERIFIED: _biz(
        "The user has no verified digital identity.",
        "لا توجد هوية رقمية موثقة لهذا المستخدم.",
        409,
    ),
    E.USER_NOT_FOUND: _biz("The user was not found.", "لم يتم العثور على المستخدم.", 404),
    E.EMAIL_UNCHANGED: _biz(
        "This is already the account's email.", "هذا هو البريد الإلكتروني الحالي للحساب.", 409
    ),
    E.PHONE_UNCHANGED: _biz(
        "This is already the account's phone number.", "هذا هو رقم الهاتف الحالي للحساب.", 409
    ),
    E.IDENTITY_IMAGE_NOT_FOUND: _biz(
        "No such image: it was never stored, or its retention ended.",
        "لا توجد هذه الصورة: لم تُحفظ أو انتهت مدة الاحتفاظ بها.",
        404,
    ),
    E.FACE_DOES_NOT_MATCH_ID: _biz(
        "The face does not match the photo on the ID card.",
        "الوجه لا يطابق الصورة الموجودة على بطاقة الهوية.",
    ),
    E.ID_SIDES_MISSING: _biz(
        "Read both sides of the ID card successfully before the liveness check.",
        "اقرأ وجهي بطاقة الهوية بنجاح قبل التحقق من الحيوية.",
    ),
    E.ID_FRONT_MISSING: _biz(
        "Read the front of the ID card in this transaction before matching a face to it.",
        "اقرأ الوجه الأمامي لبطاقة الهوية في هذه المعاملة قبل مطابقة الوجه معه.",
    ),
    E.REVIEW_NOT_PENDING: _biz(
        "This verification is not waiting for a review decision.",
        "هذا التحقق لا ينتظر قرار مراجعة.",
        409,
    ),
    E.VERIFICATION_ATTEMPTS_PAUSED: _biz(
        "Too many failed face checks in a row: wait 30 seconds before the next attempt.",
        "محاولات فاشلة متتالية كثيرة للتحقق من الوجه: انتظر 30 ثانية قبل المحاولة التالية.",
        429,
    ),
    E.VERIFICATION_DAILY_LIMIT: _biz(
        "The daily limit of face checks for this identity is reached: try again tomorrow.",
        "تم بلوغ الحد اليومي لمحاولات التحقق من الوجه لهذه الهوية: حاول مرة أخرى غدًا.",
        429,
    ),
    # Hawiya 61xx: webhooks
    E.WEBHOOK_NOT_FOUND: _biz(
        "The webhook subscription was not found.", "لم يتم العثور على اشتراك الويب هوك.", 404
    ),
    E.WEBHOOK_DELIVERY_NOT_FOUND: _biz(
        "The webhook delivery was not found.", "لم يتم العثور على إرسال الويب هوك.", 404
    ),
    E.WEBHOOK_URL_REFUSED: _biz(
        "The webhook URL is refused: it must be https on an allowed port and reach only public "
        "addresses; see error_descriptions.",
        "عنوان الويب هوك مرفوض: يجب أن يكون https على منفذ مسموح وألا يصل إلا إلى عناوين عامة؛ "
        "راجع error_descriptions.",
    ),
    E.WEBHOOK_EVENT_UNKNOWN: _biz(
        "Unknown webhook event; see error_descriptions for the known ones.",
        "حدث ويب هوك غير معروف؛ راجع error_descriptions للأحداث المعروفة.",
    ),
    E.WEBHOOK_INACTIVE: _biz(
        "The webhook subscription is disabled: enable it first.",
        "اشتراك الويب هوك معطل: فعّله أولًا.",
        409,
    ),
    E.WEBHOOK_DELIVERY_IN_PROGRESS: _biz(
        "This delivery is being attempted right now; try again when the attempt has ended.",
        "تجري الآن محاولة لهذا الإرسال؛ حاول مرة أخرى بعد انتهائها.",
        409,
    ),
    E.WEBHOOK_LIMIT_REACHED: _biz(
        "The tenant has as many webhook subscriptions as it may have.",
        "بلغ المستأجر الحد الأقصى لاشتراكات الويب هوك.",
        409,
    ),
    # Hawiya 9xxx
    E.VALIDATION_FAILED: _biz(
        "The request is invalid; see error_descriptions.",
        "الطلب غير صالح؛ راجع error_descriptions.",
    ),
    E.MALFORMED_JSON: ErrorSpec(
        400, "The request body is not valid JSON.", "جسم الطلب ليس JSON صالحًا."
    ),
    E.UNSUPPORTED_CONTENT_TYPE: ErrorSpec(
        415, "Send the body as application/json.", "أرسل جسم الطلب بصيغة application/json."
    ),
    E.BODY_TOO_LARGE: ErrorSpec(413, "The request body is too large.", "جسم الطلب كبير جدًا."),
    E.ROUTE_NOT_FOUND: ErrorSpec(404, "No such endpoint.", "لا توجد نقطة خدمة بهذا العنوان."),
    E.METHOD_NOT_ALLOWED: ErrorSpec(
        405,
        "This method is not allowed on this endpoint.",
        "هذه الطريقة غير مسموحة على نقطة الخدمة هذه.",
    ),
    E.NOT_FOUND: _biz("The record was not found.", "لم يتم العثور على السجل.", 404),
    E.CONFLICT: _biz(
        "The request conflicts with the current state.", "الطلب يتعارض مع الحالة الحالية.", 409
    ),
    E.RATE_LIMITED: ErrorSpec(429, "Too many requests; slow down.", "طلبات كثيرة جدًا؛ أبطئ."),
    E.SERVICE_UNAVAILABLE: ErrorSpec(
        503,
        "The service is temporarily unavailable; retry shortly.",
        "الخدمة غير متاحة مؤقتًا؛ أعد المحاولة بعد قليل.",
    ),
    E.PROCESSING_TIMEOUT: ErrorSpec(
        504,
        "Reading the images took too long; retry shortly.",
        "استغرقت قراءة الصور وقتًا أطول من المسموح؛ أعد المحاولة بعد قليل.",
    ),
    # RES-3: refused before the body is parsed, so a protocol error (400) in both policies, as 9002.
    E.JSON_TOO_COMPLEX: ErrorSpec(
        400,
        "The JSON body is nested too deeply or has too many items.",
        "جسم JSON متداخل بعمق زائد أو يحتوي على عناصر كثيرة جدًا.",
    ),
}


class ApiError(Exception):
    """Raised by services; the one handler in envelope.py turns it into the envelope.

    persist=True keeps the writes the service made before raising (failed-login counters, the
    revocation of a reused refresh-token family, audit records): the failure is the outcome, not a
    reason to forget it. Everything else rolls back.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str | None = None,
        descriptions: Any = None,
        *,
        persist: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or ERRORS[code].en)
        self.code = code
        self.message = message
        self.descriptions = descriptions
        self.persist = persist
        self.headers = headers or {}


def message_for(code: ErrorCode, language: str) -> str:
    spec = ERRORS[code]
    return spec.ar if language == "ar" else spec.en
