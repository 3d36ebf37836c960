import { typeOf } from "../event-types.js";

/**
 * `slack.<event type>[.<subtype>]`, `slack.<interaction type>`, `slack.command` (classify.ts): Slack's own
 * words, so this lists those a Switchyard app subscribes to; others arrive too, named the same way.
 */
export const slackEventTypes = [
  typeOf("slack.message", "A message or thread reply"),
  typeOf("slack.message.message_changed", "A message edited"),
  typeOf("slack.message.message_deleted", "A message deleted"),
  typeOf("slack.message.bot_message", "A bot's message"),
  typeOf("slack.app_mention", "The app mentioned"),
  typeOf("slack.reaction_added", "A reaction added"),
  typeOf("slack.reaction_removed", "A reaction removed"),
  typeOf("slack.member_joined_channel", "Someone joined a channel"),
  typeOf("slack.channel_created", "A channel created"),
  typeOf("slack.app_home_opened", "The app's home opened"),
  typeOf("slack.link_shared", "A link of a registered domain shared"),
  typeOf("slack.command", "A slash command"),
  typeOf("slack.block_actions", "A button or menu used"),
  typeOf("slack.view_submission", "A modal submitted"),
  typeOf("slack.view_closed", "A modal closed"),
  typeOf("slack.shortcut", "A global shortcut"),
  typeOf("slack.message_action", "A message shortcut"),
];
