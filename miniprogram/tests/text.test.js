const { segments } = require("../utils/text.js");

test("citations, phone numbers and plain text", () => {
  const s = segments("拨打12345或0527-80000000，见[1]；[9]不是出处；2025年12345678不是电话", [{ n: 1 }]);
  expect(s.filter((x) => x.type === "phone").map((x) => x.phone)).toEqual(["12345", "0527-80000000"]);
  expect(s.filter((x) => x.type === "cite").map((x) => x.n)).toEqual([1]);
  expect(s.map((x) => x.text).join("")).toBe("拨打12345或0527-80000000，见[1]；[9]不是出处；2025年12345678不是电话");
});
