export { ATTRIBUTE, MAX_RULE_IDS } from './attributes';
export { buildNotification, publishBytes, renderJson } from './build';
export { NotifyError, NotifyPartialError, NotifyRejectedError, NotifyUnavailableError } from './errors';
export {
  SNS_MAX_MESSAGE_BYTES,
  SNS_MAX_RAW_ATTRIBUTES,
  SNS_MAX_SUBJECT_CHARS,
  type MessageAttribute,
  type Notification,
  type NotificationFormat,
  type NotifyOptions,
} from './notification';
export { MemoryNotifier, type Notifier } from './notifier';
export { renderText } from './render-text';
export { sanitize } from './sanitize';
export { DOCUMENT_TYPE, SCHEMA_VERSION, type NotificationDocumentV1 } from './schema';
export { notificationChannel } from './channel';
export { buildChatNotification, CHAT_EVENT_TYPE, CHAT_LIMITS, chatSafe, renderChat, type ChatNotification } from './render-chat';
